using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Releases;
using Needle.Routing;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Serving;
using Needle.Store;
using Needle.Telemetry;

namespace Needle.ControlPlane;

/// <summary>
/// The control plane's changes on this node: deploy, activate, delete, test-invoke. Every change is validated
/// before anything is written (the manifest, the source by loading it, the route against other functions), then
/// written to the store in one transaction, then applied here at once. Changes on this node run one at a time.
/// </summary>
internal sealed class DeploymentService
{
    private readonly INeedleStore _store;
    private readonly RuntimeRegistry _runtimes;
    private readonly Reconciler _reconciler;
    private readonly IDownstreamClient _downstream;
    private readonly NeedleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _functionLogger;
    private readonly ChangeGate _gate;
    private readonly NeedleMetrics _metrics;

    public DeploymentService(
        INeedleStore store,
        RuntimeRegistry runtimes,
        Reconciler reconciler,
        IDownstreamClient downstream,
        IOptions<NeedleOptions> options,
        TimeProvider time,
        ChangeGate gate,
        ILoggerFactory loggerFactory,
        NeedleMetrics metrics)
    {
        _metrics = metrics;
        _gate = gate;
        _store = store;
        _runtimes = runtimes;
        _reconciler = reconciler;
        _downstream = downstream;
        _options = options.Value;
        _time = time;
        _functionLogger = loggerFactory.CreateLogger("Needle.Functions");
    }

    /// <summary>Deploys a version; throws <see cref="FunctionValidationException"/> with nothing changed when it cannot serve.</summary>
    /// <param name="name">The function name.</param>
    /// <param name="source">The source text.</param>
    /// <param name="manifest">The manifest, if given.</param>
    /// <param name="activate">Whether the version serves at once.</param>
    /// <param name="actor">Who deploys.</param>
    /// <param name="reason">Why.</param>
    /// <param name="skipIfKnown">
    /// Deploy nothing when any earlier version has this content (a watcher's start-up scan: a file deployed before
    /// must not undo a version deployed since through the API). Otherwise only the latest version is compared.
    /// </param>
    /// <param name="cancellationToken">Cancels the deploy.</param>
    /// <param name="canary">When set, the version goes in as canary beside the current stable version (which must exist).</param>
    /// <param name="parentNumber">The version this one patches, recorded as its parent.</param>
    public async Task<DeployOutcome> DeployAsync(
        string name,
        string? source,
        FunctionManifest? manifest,
        bool activate,
        string actor,
        string? reason,
        CancellationToken cancellationToken,
        bool skipIfKnown = false,
        CanaryRequest? canary = null,
        int? parentNumber = null)
    {
        if (canary is not null)
        {
            activate = false;
            ReleaseRules.CheckWeight(canary.Weight);
            ReleaseRules.CheckPins(canary.Pins);
        }

        if (!FunctionNames.IsValid(name))
        {
            throw new FunctionValidationException($"'{name}' is not a valid function name; use 1 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'.");
        }

        if (string.IsNullOrWhiteSpace(source))
        {
            throw new FunctionValidationException("source: the function's source is required.");
        }

        manifest ??= new FunctionManifest();
        if (string.IsNullOrEmpty(manifest.Name))
        {
            manifest.Name = name;
        }
        else if (manifest.Name != name)
        {
            throw new FunctionValidationException($"manifest.name: '{manifest.Name}' does not match the function '{name}' in the path.");
        }

        var normalized = ManifestValidator.Normalize(manifest, _runtimes.Names, _options.DownstreamServices, _options.MaxLimits);
        var hash = ContentHash.Compute(source, ManifestJson.Serialize(normalized));
        var runtime = _runtimes.Get(normalized.Runtime!);
        var limits = ResolvedLimits.Resolve(normalized.Limits, _options);

        using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            var existing = await _store.GetFunctionAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                var latest = await _store.GetVersionAsync(name, existing.LatestVersion, cancellationToken).ConfigureAwait(false);
                var inPlace = canary is not null
                    ? existing.Release?.CanaryVersion == latest?.Number
                    : !activate || existing.Release?.StableVersion == latest?.Number;
                if (latest is not null && latest.ContentHash == hash && inPlace)
                {
                    // The same content again (a watcher saving an unchanged file, a retried script): nothing to do.
                    return new DeployOutcome(latest, existing.Release, _reconciler.AppliedRevision, Unchanged: true, await runtime.GetWarningsAsync(latest, cancellationToken).ConfigureAwait(false));
                }

                if (skipIfKnown)
                {
                    var versions = await _store.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
                    if (versions.FirstOrDefault(v => v.ContentHash == hash) is { } known)
                    {
                        return new DeployOutcome(known, existing.Release, _reconciler.AppliedRevision, Unchanged: true, await runtime.GetWarningsAsync(known, cancellationToken).ConfigureAwait(false));
                    }
                }
            }

            CheckRouteConflicts(normalized);

            // Load under the number the store will give it, so the loaded version is the one that serves.
            var number = (existing?.LatestVersion ?? await LatestNumberOfDeletedAsync(name, cancellationToken).ConfigureAwait(false)) + 1;
            var candidate = new FunctionVersion(name, number, source, normalized, hash, actor, _time.GetUtcNow(), parentNumber);
            var placement = canary is null ? null : await PlaceCanaryAsync(existing, candidate, canary, cancellationToken).ConfigureAwait(false);
            var loaded = await runtime.LoadAsync(candidate, limits, cancellationToken).ConfigureAwait(false);
            var warnings = loaded.Warnings;
            DeployResult result;
            try
            {
                result = await _store.AddVersionAsync(new NewVersion(name, source, normalized, hash, actor, activate, reason, parentNumber, placement), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await loaded.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            if (result.Release is not null)
            {
                await _reconciler.ApplyAsync(loaded, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await loaded.DisposeAsync().ConfigureAwait(false);
            }

            _metrics.RecordDeployment(name);
            return new DeployOutcome(result.Version, result.Release, result.Revision, Unchanged: false, warnings);
        }
    }

    /// <summary>Makes an existing version the stable one.</summary>
    public async Task<ReleaseRecord> ActivateAsync(string name, int number, string actor, string? reason, CancellationToken cancellationToken)
    {
        using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            var version = await _store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false)
                ?? throw new NeedleNotFoundException($"Function '{name}' has no version {number}.");
            CheckRouteConflicts(version.Manifest);
            var loaded = await LoadAsync(version, cancellationToken).ConfigureAwait(false);
            ReleaseRecord release;
            try
            {
                release = await _store.SetReleaseAsync(new ReleaseChange(name, number, null, 0, "activate", actor, reason), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await loaded.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await _reconciler.ApplyAsync(loaded, cancellationToken).ConfigureAwait(false);
            return release;
        }
    }

    /// <summary>Removes a function from serving; its versions stay in the store for the audit trail.</summary>
    public async Task<long> DeleteAsync(string name, string actor, string? reason, CancellationToken cancellationToken)
    {
        using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            var revision = await _store.DeleteFunctionAsync(name, actor, reason, cancellationToken).ConfigureAwait(false);
            await _reconciler.ApplyAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return revision;
        }
    }

    /// <summary>Runs a version against a sample request without it taking traffic; returns the response and the log lines.</summary>
    public async Task<TestInvocationResult> TestInvokeAsync(string name, int number, FunctionRequest request, CancellationToken cancellationToken)
    {
        var version = await _store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' has no version {number}.");
        var served = _reconciler.TryGetServed(name, number);
        var serving = served is not null && served.TryEnter() ? served.Function : null;
        var function = serving ?? await LoadAsync(version, cancellationToken).ConfigureAwait(false);
        try
        {
            var logs = new List<FunctionLogEntry>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(function.Limits.Timeout);
            using var context = new InvocationContext(version, "test-" + Guid.NewGuid().ToString("n")[..12], _functionLogger, _downstream, function.Limits.Timeout, timeout.Token, logs, function.Limits);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await function.InvokeAsync(request, context).ConfigureAwait(false);
                return new TestInvocationResult(response, null, Stopwatch.GetElapsedTime(started), logs);
            }
            catch (FunctionInvocationException ex)
            {
                return new TestInvocationResult(null, ex, Stopwatch.GetElapsedTime(started), logs);
            }
        }
        finally
        {
            if (serving is null)
            {
                await function.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                served!.Exit();
            }
        }
    }

    private async Task<CanaryPlacement> PlaceCanaryAsync(FunctionRecord? existing, FunctionVersion candidate, CanaryRequest canary, CancellationToken cancellationToken)
    {
        var release = existing?.Release
            ?? throw new FunctionValidationException($"Function '{candidate.Function}' has no stable version yet, so its first version cannot be a canary; deploy it without 'canary'.");
        var stable = await _store.GetVersionAsync(candidate.Function, release.StableVersion, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{candidate.Function}' has no version {release.StableVersion}.");
        ReleaseRules.CheckSameRoute(stable, candidate);
        return new CanaryPlacement(release.StableVersion, canary.Weight, canary.Pins, release.Id);
    }

    private Task<ILoadedFunction> LoadAsync(FunctionVersion version, CancellationToken cancellationToken) =>
        _runtimes.Get(version.Runtime).LoadAsync(version, ResolvedLimits.Resolve(version.Manifest.Limits, _options), cancellationToken);

    private async Task<int> LatestNumberOfDeletedAsync(string name, CancellationToken cancellationToken)
    {
        var versions = await _store.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
        return versions.Count == 0 ? 0 : versions.Max(v => v.Number);
    }

    private void CheckRouteConflicts(FunctionManifest manifest)
    {
        var route = manifest.Route ?? "/" + manifest.Name;
        var methods = manifest.Methods ?? ["GET", "POST"];
        foreach (var (other, entry) in _reconciler.Current)
        {
            if (other == manifest.Name)
            {
                continue;
            }

            var otherRoute = entry.Manifest.Route ?? "/" + other;
            if (RouteShape.Collide(route, methods, otherRoute, entry.Manifest.Methods ?? ["GET", "POST"]))
            {
                throw new FunctionValidationException($"manifest.route: '{route}' conflicts with function '{other}', which serves '{otherRoute}' for the same methods.");
            }
        }
    }
}

/// <summary>The outcome of a deploy, with the warnings the version's source compiles with (C# only).</summary>
internal sealed record DeployOutcome(FunctionVersion Version, ReleaseRecord? Release, long Revision, bool Unchanged, IReadOnlyList<FunctionDiagnostic> Warnings);

/// <summary>The outcome of a test invocation: a response or a failure, with duration and logs.</summary>
internal sealed record TestInvocationResult(FunctionResponse? Response, FunctionInvocationException? Failure, TimeSpan Duration, IReadOnlyList<FunctionLogEntry> Logs);
