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
/// written to the store in one transaction, then applied here at once. Changes on this node run one at a time, but a
/// deploy loads its version outside the change gate, so no load holds up a rollback or a kill switch.
/// </summary>
internal sealed class DeploymentService
{
    private const int MaxDeployAttempts = 3;
    private readonly INeedleStore _store;
    private readonly RuntimeRegistry _runtimes;
    private readonly Reconciler _reconciler;
    private readonly IDownstreamClient _downstream;
    private readonly FunctionSecrets _secrets;
    private readonly NeedleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _functionLogger;
    private readonly ChangeGate _gate;
    private readonly NeedleMetrics _metrics;
    private readonly VersionLoader _loader;

    public DeploymentService(
        INeedleStore store,
        RuntimeRegistry runtimes,
        Reconciler reconciler,
        IDownstreamClient downstream,
        IOptions<NeedleOptions> options,
        TimeProvider time,
        ChangeGate gate,
        ILoggerFactory loggerFactory,
        NeedleMetrics metrics,
        FunctionSecrets secrets,
        VersionLoader loader)
    {
        _loader = loader;
        _secrets = secrets;
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
        _secrets.Check(normalized);
        var hash = ContentHash.Compute(source, ManifestJson.Serialize(normalized));
        var runtime = _runtimes.Get(normalized.Runtime!);

        // The gate is held only to read and to write, never while the version loads: a C# version's load code can run
        // up to the runtime's load limit, and rollbacks, kill switches and other deploys must not wait for it. When
        // another change lands meanwhile (a version of this function, or a release move under a canary), the deploy
        // reads again and loads again; after a few tries it gives up with a conflict.
        for (var attempt = 1; ; attempt++)
        {
            FunctionRecord? existing;
            FunctionVersion candidate;
            CanaryPlacement? placement;
            using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                existing = await _store.GetFunctionAsync(name, cancellationToken).ConfigureAwait(false);
                if (await FindUnchangedAsync(existing, hash, activate, canary, skipIfKnown, runtime, cancellationToken).ConfigureAwait(false) is { } unchanged)
                {
                    return unchanged;
                }

                CheckRouteConflicts(normalized);

                // Load under the number the store will give it, so the loaded version is the one that serves.
                var number = await NextNumberAsync(name, existing, cancellationToken).ConfigureAwait(false);
                candidate = new FunctionVersion(name, number, source, normalized, hash, actor, _time.GetUtcNow(), parentNumber);
                placement = canary is null ? null : await PlaceCanaryAsync(existing, candidate, canary, cancellationToken).ConfigureAwait(false);
            }

            var loaded = await _loader.LoadAsync(candidate, cancellationToken).ConfigureAwait(false);
            var handedOver = false;
            try
            {
                using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
                {
                    var now = await _store.GetFunctionAsync(name, cancellationToken).ConfigureAwait(false);
                    var moved = await NextNumberAsync(name, now, cancellationToken).ConfigureAwait(false) != candidate.Number
                        || (canary is not null && now?.Release?.Id != existing?.Release?.Id);
                    if (moved)
                    {
                        if (attempt < MaxDeployAttempts)
                        {
                            continue;
                        }

                        throw new NeedleConflictException($"Function '{name}' changed {MaxDeployAttempts} times while this deploy loaded its version; nothing changed, try again.");
                    }

                    CheckRouteConflicts(normalized);
                    var result = await _store.AddVersionAsync(new NewVersion(name, source, normalized, hash, actor, activate, reason, parentNumber, placement), cancellationToken).ConfigureAwait(false);
                    if (result.Release is not null)
                    {
                        // The reconciler owns the loaded version from here, serving it or disposing it.
                        handedOver = true;
                        await _reconciler.ApplyFunctionAsync(name, result.Release, result.Revision, [loaded], cancellationToken).ConfigureAwait(false);
                    }

                    _metrics.RecordDeployment(name);
                    return new DeployOutcome(result.Version, result.Release, result.Revision, Unchanged: false, loaded.Warnings);
                }
            }
            finally
            {
                if (!handedOver)
                {
                    await loaded.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    // The outcome when this content is what the function has already (nothing to deploy), else null.
    private async Task<DeployOutcome?> FindUnchangedAsync(FunctionRecord? existing, string hash, bool activate, CanaryRequest? canary, bool skipIfKnown, IFunctionRuntime runtime, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            return null;
        }

        var name = existing.Name;
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

        return null;
    }

    private async Task<int> NextNumberAsync(string name, FunctionRecord? existing, CancellationToken cancellationToken) =>
        (existing?.LatestVersion ?? await LatestNumberOfDeletedAsync(name, cancellationToken).ConfigureAwait(false)) + 1;

    /// <summary>Makes an existing version the stable one.</summary>
    public async Task<ReleaseRecord> ActivateAsync(string name, int number, string actor, string? reason, CancellationToken cancellationToken)
    {
        var version = await _store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' has no version {number}.");
        CheckRouteConflicts(version.Manifest);

        // Loaded outside the gate, as a deploy loads (see DeployAsync); a version is immutable, so nothing to read again.
        var loaded = _reconciler.IsLoaded(name, number) ? null : await LoadAsync(version, cancellationToken).ConfigureAwait(false);
        try
        {
            using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                CheckRouteConflicts(version.Manifest);
                var release = await _store.SetReleaseAsync(new ReleaseChange(name, number, null, 0, "activate", actor, reason), cancellationToken).ConfigureAwait(false);
                var handOver = loaded;
                loaded = null;
                await _reconciler.ApplyFunctionAsync(name, release, release.Revision, handOver is null ? [] : [handOver], cancellationToken).ConfigureAwait(false);
                return release;
            }
        }
        finally
        {
            if (loaded is not null)
            {
                await loaded.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes a function from serving; its versions stay in the store for the audit trail.</summary>
    public async Task<long> DeleteAsync(string name, string actor, string? reason, CancellationToken cancellationToken)
    {
        using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
        {
            var revision = await _store.DeleteFunctionAsync(name, actor, reason, cancellationToken).ConfigureAwait(false);
            await _reconciler.ApplyFunctionAsync(name, null, revision, [], cancellationToken).ConfigureAwait(false);
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
            using var context = new InvocationContext(version, "test-" + Guid.NewGuid().ToString("n")[..12], _functionLogger, _downstream, function.Limits.Timeout, timeout.Token, logs, function.Limits, _secrets.For(function.Version));
            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await function.InvokeAsync(request, context).ConfigureAwait(false);
                ResponseRules.Check(response, _options, sandboxed: version.Manifest.Sandbox is not false);
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
        _loader.LoadAsync(version, cancellationToken);

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
