using System.CommandLine;
using System.Net;
using Needle.Cli.Commands;
using Needle.Client;

namespace Needle.Cli;

/// <summary>The <c>needle</c> command line: parses, runs one command against the host, maps failures to exit codes.</summary>
public static class NeedleCli
{
    /// <summary>Runs the command line and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="environment">Where to write and which variables to read.</param>
    /// <param name="cancellationToken">Stops a long command (<c>dev</c>, <c>deploy --wait</c>): Ctrl-C.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var options = new GlobalOptions();
        var root = new RootCommand("needle: deploy, release, roll back and patch Needle functions on a running host.");
        root.Options.Add(options.Url);
        root.Options.Add(options.ApiKey);
        root.Options.Add(options.Output);
        foreach (var command in Commands(options, environment))
        {
            root.Subcommands.Add(command);
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync($"needle: {error.Message}");
            }

            await environment.Error.WriteLineAsync("Run 'needle --help' for the commands and their options.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = environment.Out.Profile.Out.Writer, Error = environment.Error };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>Binds a command's body: builds its context, runs it, and turns what it throws into one line and an exit code.</summary>
    internal static void Runs(this Command command, GlobalOptions options, CliEnvironment environment, Func<CommandContext, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var context = new CommandContext(parse, options, environment);
            try
            {
                return await body(context, cancellationToken);
            }
            catch (UsageException e)
            {
                await environment.Error.WriteLineAsync($"needle: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (NeedleApiException e)
            {
                await environment.Error.WriteLineAsync($"needle: {Describe(e)}");
                return e.IsRefusal ? ExitCodes.Refused : ExitCodes.Unavailable;
            }
            catch (HttpRequestException e)
            {
                await environment.Error.WriteLineAsync($"needle: cannot reach {SafeUrl(context)}: {e.Message}");
                return ExitCodes.Unavailable;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await environment.Error.WriteLineAsync($"needle: {SafeUrl(context)} did not answer in time.");
                return ExitCodes.Unavailable;
            }
        });

    private static IEnumerable<Command> Commands(GlobalOptions options, CliEnvironment environment) =>
    [
        StatusCommand.Create(options, environment),
        DeployCommand.Create(options, environment),
        .. ReleaseCommands.Create(options, environment),
        PatchCommand.Create(options, environment),
        DiffCommand.Create(options, environment),
        .. HistoryCommands.Create(options, environment),
        InvokeCommand.Create(options, environment),
        DevCommand.Create(options, environment),
    ];

    private static string Describe(NeedleApiException e)
    {
        var what = e.Status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"{e.Title} ({(int)e.Status}): check --api-key / NEEDLE_API_KEY, or call from the host itself",
            _ => $"{e.Title} ({(int)e.Status})",
        };
        return e.Detail is null ? what : $"{what}: {e.Detail}";
    }

    private static string SafeUrl(CommandContext context)
    {
        try
        {
            return context.Client.BaseAddress.ToString();
        }
        catch (UsageException)
        {
            return "the host";
        }
    }
}
