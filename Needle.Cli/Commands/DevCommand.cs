using System.Collections.Concurrent;
using System.CommandLine;
using System.Threading.Channels;
using Needle.Client;

namespace Needle.Cli.Commands;

/// <summary>
/// <c>needle dev &lt;folder&gt;</c>: deploys every function file of a folder, then each one again when it (or its
/// manifest) changes, printing diagnostics the way a compiler does. Runs until Ctrl-C.
/// </summary>
internal static class DevCommand
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);

    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var folder = new Argument<string>("folder") { Description = "The folder of name.js / name.cs files (name.json beside each is its manifest)." };
        var reason = new Option<string?>("--reason", "-r") { Description = "Recorded with each deploy.", DefaultValueFactory = _ => "needle dev" };
        var command = new Command("dev", "Watches a folder and deploys changed function files to the host (local or remote).") { folder, reason };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var root = Path.GetFullPath(context.Value(folder));
            if (!Directory.Exists(root))
            {
                throw new UsageException($"'{context.Value(folder)}' is not a folder.");
            }

            var changed = Channel.CreateUnbounded<string>();
            using var watcher = new FileSystemWatcher(root) { IncludeSubdirectories = false, EnableRaisingEvents = false };
            FileSystemEventHandler onChange = (_, e) => changed.Writer.TryWrite(e.FullPath);
            watcher.Changed += onChange;
            watcher.Created += onChange;
            watcher.Renamed += (_, e) => changed.Writer.TryWrite(e.FullPath);
            watcher.EnableRaisingEvents = true;

            // Every file once at start (a failure does not stop the others), then each change.
            foreach (var file in Directory.EnumerateFiles(root).Where(IsFunction).Order(StringComparer.Ordinal))
            {
                await DeployAsync(context, file, context.Value(reason), cancellationToken);
            }

            context.Line($"watching {root} (Ctrl-C to stop)");
            var pending = new ConcurrentDictionary<string, DateTime>();
            try
            {
                while (await changed.Reader.WaitToReadAsync(cancellationToken))
                {
                    // Editors write a file in several steps: wait until it has been quiet for a moment.
                    while (changed.Reader.TryRead(out var path))
                    {
                        var source = FunctionFor(path);
                        if (source is not null)
                        {
                            pending[source] = DateTime.UtcNow;
                        }
                    }

                    await Task.Delay(Debounce, cancellationToken);
                    if (changed.Reader.TryPeek(out _))
                    {
                        continue;
                    }

                    foreach (var file in pending.Keys.Order(StringComparer.Ordinal).ToList())
                    {
                        pending.TryRemove(file, out _);
                        await DeployAsync(context, file, context.Value(reason), cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: a clean stop.
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task DeployAsync(CommandContext context, string file, string? reason, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            return;
        }

        FunctionFile function;
        try
        {
            function = FunctionFile.Read(file);
        }
        catch (UsageException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return;
        }
        catch (IOException e)
        {
            // Still being written; the next change event brings it again.
            await context.Error.WriteLineAsync($"{file}: {e.Message}");
            return;
        }

        var relative = Path.GetRelativePath(Environment.CurrentDirectory, file);
        try
        {
            var result = await context.Client.DeployAsync(function.Name, new DeployRequest { Source = function.Source, Manifest = function.Manifest, Reason = reason }, cancellationToken);
            foreach (var warning in result.Warnings)
            {
                await context.Error.WriteLineAsync(DiagnosticPrinter.Format(relative, warning));
            }

            context.Line(result.Unchanged ? $"{relative}: {result.Function}@{result.Version} unchanged" : $"{relative}: deployed {result.Function}@{result.Version}");
        }
        catch (NeedleApiException e) when (e.Diagnostics.Count > 0)
        {
            await DiagnosticPrinter.RefusedAsync(context, relative, e);
        }
        catch (NeedleApiException e)
        {
            // One bad file must not end the session: say why and keep watching.
            await context.Error.WriteLineAsync($"{relative}: {e.Message}");
        }
    }

    private static bool IsFunction(string path) => FunctionFile.Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The function file a changed path belongs to: itself, or the source beside a changed manifest.</summary>
    private static string? FunctionFor(string path)
    {
        if (IsFunction(path))
        {
            return path;
        }

        if (!string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return FunctionFile.Extensions.Select(e => Path.ChangeExtension(path, e)).FirstOrDefault(File.Exists);
    }
}
