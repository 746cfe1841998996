using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.ControlPlane;
using Needle.Functions;
using Needle.Hosting;
using Needle.Quality;
using Needle.Releases;
using Needle.Runtime;
using Needle.Store;

namespace Needle.Watching;

/// <summary>
/// Deploys functions from watched directories: every <c>name.js</c> (JavaScript) and <c>name.cs</c> (C#), with
/// <c>name.json</c> as its manifest when present, at start and again, debounced, whenever either file changes. The
/// extension picks the runtime; <c>name.tests.json</c> beside it holds the version's test cases (or the manifest's
/// <c>tests</c>), and a version failing one is not deployed, each failing case logged by name; a manifest that names another runtime, or both files for one name, fail the deploy.
/// Unchanged content deploys nothing. A deploy's compiler warnings are logged as warnings.
/// A failed deploy is logged and audited as <c>deploy-failed</c>; the last good version keeps serving.
/// In a cluster every node watches the same files: a change deploys once (the store refuses the second node's version
/// under the same number, and its retry finds the content there, or deployed since the files were written), and a
/// failure is audited once per change of the files.
/// Removing a file does not delete the function (use the API for that).
/// </summary>
internal sealed partial class FolderWatcher : BackgroundService
{
    private const string Actor = "watcher";

    // The source extensions and the runtime each one means.
    private static readonly (string Extension, string Runtime)[] Sources =
    [
        (".js", FunctionRuntimes.JavaScript),
        (".cs", FunctionRuntimes.CSharp),
    ];
    private readonly DeploymentService _deployments;
    private readonly INeedleStore _store;
    private readonly NeedleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FolderWatcher> _logger;
    private readonly ConcurrentDictionary<string, (string Directory, long Ticks)> _pending = new(StringComparer.Ordinal);
    private readonly List<FileSystemWatcher> _watchers = [];

    public FolderWatcher(DeploymentService deployments, INeedleStore store, IOptions<NeedleOptions> options, TimeProvider time, ILogger<FolderWatcher> logger)
    {
        _deployments = deployments;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Watch first, so a change made during the scan is not missed; scan before the host serves, so the
        // folder's functions answer from the first request. A file whose content some version already has is
        // skipped: it must not undo a version deployed through the API while the host was down.
        foreach (var directory in _options.WatchDirectories)
        {
            _watchers.Add(Watch(directory));
        }

        foreach (var directory in _options.WatchDirectories)
        {
            var names = Sources
                .SelectMany(s => Directory.EnumerateFiles(directory, "*" + s.Extension))
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal);
            foreach (var name in names)
            {
                await DeployFileAsync(directory, name, skipIfKnown: true, cancellationToken).ConfigureAwait(false);
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.WatchDirectories.Count == 0)
        {
            return;
        }

        try
        {
            var tick = TimeSpan.FromMilliseconds(Math.Max(10, _options.WatchDebounce.TotalMilliseconds / 2));
            using var timer = new PeriodicTimer(tick, _time);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = _time.GetTimestamp();
                foreach (var (name, pending) in _pending)
                {
                    if (_time.GetElapsedTime(pending.Ticks, now) >= _options.WatchDebounce && _pending.TryRemove(new(name, pending)))
                    {
                        await DeployFileAsync(pending.Directory, name, skipIfKnown: false, stoppingToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        base.Dispose();
    }

    private FileSystemWatcher Watch(string directory)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            IncludeSubdirectories = false,
        };
        foreach (var (extension, _) in Sources)
        {
            watcher.Filters.Add("*" + extension);
        }

        watcher.Filters.Add("*.json");
        FileSystemEventHandler changed = (_, e) => Touch(directory, e.FullPath);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Renamed += (_, e) => Touch(directory, e.FullPath);
        watcher.Error += (_, e) => LogWatchError(_logger, directory, e.GetException());
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void Touch(string directory, string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        name = name.EndsWith(".tests", StringComparison.Ordinal) ? name[..^".tests".Length] : name;
        if (Sources.Any(s => File.Exists(Path.Combine(directory, name + s.Extension))))
        {
            _pending[name] = (directory, _time.GetTimestamp());
        }
    }

    private async Task DeployFileAsync(string directory, string name, bool skipIfKnown, CancellationToken cancellationToken)
    {
        // When the files were last written: every node of a cluster sees the same change, and what one node did
        // about it (a deploy, a failure recorded) since then stands for all of them.
        var written = DateTimeOffset.MinValue;
        try
        {
            var present = Sources.Where(s => File.Exists(Path.Combine(directory, name + s.Extension))).ToList();
            written = present.Count == 0 ? written : present.Max(p => LastWrite(directory, name + p.Extension));
            if (present.Count > 1)
            {
                throw new FunctionValidationException($"Both {string.Join(" and ", present.Select(p => name + p.Extension))} exist; keep one source file per function.");
            }

            if (present.Count == 0)
            {
                return;
            }

            var (extension, runtime) = present[0];
            var source = await ReadAsync(Path.Combine(directory, name + extension), cancellationToken).ConfigureAwait(false);
            if (source is null)
            {
                return;
            }

            FunctionManifest? manifest = null;
            var manifestPath = Path.Combine(directory, name + ".json");
            if (File.Exists(manifestPath) && await ReadAsync(manifestPath, cancellationToken).ConfigureAwait(false) is { } json)
            {
                try
                {
                    manifest = ManifestJson.Deserialize(json);
                }
                catch (JsonException ex)
                {
                    throw new FunctionValidationException($"{name}.json is not a valid manifest: {ex.Message}", (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? -1) + 1);
                }
            }

            manifest ??= new FunctionManifest();
            if (string.IsNullOrWhiteSpace(manifest.Runtime))
            {
                manifest.Runtime = runtime;
            }
            else if (!string.Equals(manifest.Runtime.Trim(), runtime, StringComparison.OrdinalIgnoreCase))
            {
                throw new FunctionValidationException($"{name}.json names the runtime '{manifest.Runtime}', but the source is {name}{extension} ({runtime}).");
            }

            manifest.Tests = await ReadTestsAsync(directory, name, manifest, cancellationToken).ConfigureAwait(false);
            var command = new DeployCommand(name, source, manifest, Actor)
            {
                Reason = $"file {name}{extension} changed",
                SkipIfKnown = skipIfKnown,
                SkipIfDeployedSince = written,
            };
            var outcome = await _deployments.DeployAsync(command, cancellationToken).ConfigureAwait(false);
            if (!outcome.Unchanged)
            {
                LogDeployed(_logger, outcome.Version.Label, directory);
                foreach (var warning in outcome.Warnings)
                {
                    LogCompileWarning(_logger, name + extension, warning.Line, warning.Column, warning.Message, outcome.Version.Label);
                }
            }
        }
        catch (TestsFailedException ex)
        {
            foreach (var failure in ex.Failures)
            {
                var what = string.Join("; ", failure.Mismatches.Select(m => $"{m.Field}: expected {m.Expected}, got {m.Actual}"));
                LogTestCaseFailed(_logger, failure.Name, $"{ex.Run.Function}@{ex.Run.Version}", what);
            }

            LogTestsFailed(_logger, name, directory, ex.Message);
            await RecordFailureAsync(name, ex.Message, written, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FunctionValidationException or NeedleNotFoundException or IOException)
        {
            LogDeployFailed(_logger, name, directory, ex.Message);
            await RecordFailureAsync(name, ex.Message, written, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeployError(_logger, name, ex);
            await RecordFailureAsync(name, ex.Message, written, cancellationToken).ConfigureAwait(false);
        }
    }

    // Once per change of the files: the other nodes watching the same folder fail on the same content.
    private async Task RecordFailureAsync(string name, string detail, DateTimeOffset written, CancellationToken cancellationToken)
    {
        try
        {
            var function = FunctionNames.IsValid(name) ? name : null;
            var entry = new AuditEntry(Actor, ReleaseActions.DeployFailed, function, null, $"file {name} changed", detail);
            await _store.AppendAuditOnceAsync(entry, written, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeployError(_logger, name, ex);
        }
    }

    // The latest of the source's, the manifest's and the test cases' last writes.
    private static DateTimeOffset LastWrite(string directory, string source)
    {
        var name = Path.GetFileNameWithoutExtension(source);
        var at = File.GetLastWriteTimeUtc(Path.Combine(directory, source));
        foreach (var beside in (string[])[name + ".json", name + TestCaseFile.Suffix])
        {
            var path = Path.Combine(directory, beside);
            if (File.Exists(path) && File.GetLastWriteTimeUtc(path) is var besideAt && besideAt > at)
            {
                at = besideAt;
            }
        }

        return new DateTimeOffset(at, TimeSpan.Zero);
    }

    private static async Task<JsonArray?> ReadTestsAsync(string directory, string name, FunctionManifest manifest, CancellationToken cancellationToken) =>
        await ReadAsync(Path.Combine(directory, name + TestCaseFile.Suffix), cancellationToken).ConfigureAwait(false) is { } json
            ? TestCaseFile.Parse(name, json, manifest)
            : manifest.Tests;

    // An editor may still hold the file; try a few times before giving up on this change.
    private static async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : null;
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(50 * (attempt + 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.WatcherDeployed, Level = LogLevel.Information, Message = "Deployed {Version} from {Directory}.")]
    private static partial void LogDeployed(ILogger logger, string version, string directory);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.WatcherDeployFailed, Level = LogLevel.Error, Message = "Deploying {Name} from {Directory} failed; the last good version keeps serving: {Detail}")]
    private static partial void LogDeployFailed(ILogger logger, string name, string directory, string detail);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.WatcherTestsFailed, Level = LogLevel.Error, Message = "Deploying {Name} from {Directory} failed its test cases; the last good version keeps serving: {Detail}")]
    private static partial void LogTestsFailed(ILogger logger, string name, string directory, string detail);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.WatcherTestCaseFailed, Level = LogLevel.Error, Message = "Test case '{Case}' of {Version} failed: {Mismatches}")]
    private static partial void LogTestCaseFailed(ILogger logger, string @case, string version, string mismatches);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.WatcherDeployError, Level = LogLevel.Error, Message = "Deploying {Name} failed unexpectedly.")]
    private static partial void LogDeployError(ILogger logger, string name, Exception exception);

    [LoggerMessage(EventId = Telemetry.NeedleEventIds.WatcherError, Level = LogLevel.Warning, Message = "Watching {Directory} reported an error.")]
    private static partial void LogWatchError(ILogger logger, string directory, Exception exception);

    // In the compiler's own format (file(line,column): warning CS0168: ...), so editors and terminals link it.
    [LoggerMessage(EventId = Telemetry.NeedleEventIds.WatcherCompileWarning, Level = LogLevel.Warning, Message = "{File}({Line},{Column}): warning {Warning} [{Version}]")]
    private static partial void LogCompileWarning(ILogger logger, string file, int line, int column, string warning, string version);
}
