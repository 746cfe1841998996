using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Quality;
using Needle.Releases;
using Needle.Routing;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;
using Needle.Telemetry;

namespace Needle.ControlPlane;

/// <summary>
/// The control plane's changes on this node: deploy, activate, delete. Every change is validated before anything is
/// written (the manifest, the source by loading it, the route against other functions), then written to the store in
/// one transaction, then applied here at once. Changes on this node run one at a time, but a deploy loads its version
/// outside the change gate, so no load holds up a rollback or a kill switch. Test runs are <see cref="TestInvocationService"/>'s.
/// </summary>
internal sealed class DeploymentService
{
    private const int MaxDeployAttempts = 3;
    private readonly INeedleStore _store;
    private readonly RuntimeRegistry _runtimes;
    private readonly Reconciler _reconciler;
    private readonly FunctionSecrets _secrets;
    private readonly NeedleOptions _options;
    private readonly TimeProvider _time;
    private readonly ChangeGate _gate;
    private readonly NeedleMetrics _metrics;
    private readonly VersionLoader _loader;
    private readonly QualityGate _quality;
    private readonly TestSkipRecorder _skips;

    public DeploymentService(
        INeedleStore store,
        RuntimeRegistry runtimes,
        Reconciler reconciler,
        IOptions<NeedleOptions> options,
        TimeProvider time,
        ChangeGate gate,
        NeedleMetrics metrics,
        FunctionSecrets secrets,
        VersionLoader loader,
        QualityGate quality,
        TestSkipRecorder skips)
    {
        _skips = skips;
        _quality = quality;
        _loader = loader;
        _secrets = secrets;
        _metrics = metrics;
        _gate = gate;
        _store = store;
        _runtimes = runtimes;
        _reconciler = reconciler;
        _options = options.Value;
        _time = time;
    }

    /// <summary>Deploys a version; throws <see cref="FunctionValidationException"/> with nothing changed when it cannot serve.</summary>
    /// <param name="command">What to deploy, and how.</param>
    /// <param name="cancellationToken">Cancels the deploy.</param>
    public async Task<DeployOutcome> DeployAsync(DeployCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (name, source, canary) = (command.Name, command.Source, command.Canary);
        if (canary is not null)
        {
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

        var manifest = command.Manifest ?? new FunctionManifest();
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
        _quality.Parse(normalized.Tests, QualityGate.ManifestTests, normalized);
        var hash = ContentHash.Compute(source, ManifestJson.Serialize(normalized));
        var runtime = _runtimes.Get(normalized.Runtime!);

        // The gate is held only to read and to write, never while the version loads: a C# version's load code can run
        // up to the runtime's load limit, and rollbacks, kill switches and other deploys must not wait for it. The
        // version loads under the number the store gives next and is written only under it, beside the release it was
        // prepared against; when another change landed meanwhile the store refuses, and the deploy reads and loads
        // again. After a few tries it gives up with a conflict.
        for (var attempt = 1; ; attempt++)
        {
            FunctionVersion candidate;
            NewVersion write;
            using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                // The number first, then the function: a version another node commits between the two reads is then
                // seen (the same content is unchanged) or makes the write under this number a conflict. The other way
                // round, a node could miss it and write the same content again under the next number.
                var number = await _store.GetNextVersionNumberAsync(name, cancellationToken).ConfigureAwait(false);
                var existing = await _store.GetFunctionAsync(name, cancellationToken).ConfigureAwait(false);
                if (await FindUnchangedAsync(existing, hash, command, runtime, cancellationToken).ConfigureAwait(false) is { } unchanged)
                {
                    return unchanged;
                }

                CheckRouteConflicts(normalized);
                candidate = new FunctionVersion(name, number, source, normalized, hash, command.Actor, _time.GetUtcNow(), command.ParentNumber);
                write = await PrepareWriteAsync(existing?.Release, candidate, command, cancellationToken).ConfigureAwait(false);
            }

            var loaded = await _loader.LoadAsync(candidate, cancellationToken).ConfigureAwait(false);
            var handedOver = false;
            try
            {
                // The quality gate: after the load, before anything is written or takes traffic.
                if (command.SkipTests is null)
                {
                    await _quality.EnsurePassesAsync(candidate, loaded, cancellationToken).ConfigureAwait(false);
                }

                using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
                {
                    CheckRouteConflicts(normalized);
                    DeployResult result;
                    try
                    {
                        result = await _store.AddVersionAsync(write, cancellationToken).ConfigureAwait(false);
                    }
                    catch (NeedleConflictException) when (attempt < MaxDeployAttempts)
                    {
                        continue;
                    }
                    catch (NeedleConflictException ex)
                    {
                        throw new NeedleConflictException($"Function '{name}' changed {MaxDeployAttempts} times while this deploy loaded its version; nothing changed, try again. ({ex.Message})");
                    }

                    if (result.Release is not null)
                    {
                        // The reconciler owns the loaded version from here, serving it or disposing it.
                        handedOver = true;
                        await _reconciler.ApplyFunctionAsync(name, result.Release, result.Revision, [loaded], cancellationToken).ConfigureAwait(false);
                    }

                    _metrics.RecordDeployment(name);
                    _skips.Counted(write.MoreAudit, command.SkipTests);

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

    // What the store writes: the version under its number, and the release that follows from the current one. A kill
    // switch stays on across deploys: only lifting it (an explicit, audited act) turns it off.
    private async Task<NewVersion> PrepareWriteAsync(ReleaseRecord? current, FunctionVersion candidate, DeployCommand command, CancellationToken cancellationToken)
    {
        var activate = command.ActivatesAtOnce;
        var placement = command.Canary is { } canary ? await PlaceCanaryAsync(current, candidate, canary, cancellationToken).ConfigureAwait(false) : null;
        return new NewVersion(candidate.Name, candidate.Source, candidate.Manifest, candidate.ContentHash, candidate.Author, activate, command.Reason, command.ParentNumber, placement)
        {
            ExpectedNumber = candidate.Number,
            ExpectedReleaseId = activate ? current?.Id : null,
            KillSwitch = current?.KillSwitch,
            AuditDetail = ReleaseAudit.Deployed(activate, placement),

            // A skip of the quality gate is audited in the deploy's own transaction.
            MoreAudit = command.SkipTests is { } skip ? [TestSkipRecorder.Entry(candidate, skip, command.Actor)] : null,
        };
    }

    // The outcome when this content is what the function has already (nothing to deploy), else null.
    private async Task<DeployOutcome?> FindUnchangedAsync(FunctionRecord? existing, string hash, DeployCommand command, IFunctionRuntime runtime, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            return null;
        }

        var (activate, canary, skipIfKnown) = (command.ActivatesAtOnce, command.Canary, command.SkipIfKnown);
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

        if (skipIfKnown || command.SkipIfDeployedSince is not null)
        {
            var since = skipIfKnown ? DateTimeOffset.MinValue : command.SkipIfDeployedSince!.Value;
            var versions = await _store.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
            if (versions.FirstOrDefault(v => v.ContentHash == hash && v.CreatedAt >= since) is { } known)
            {
                return new DeployOutcome(known, existing.Release, _reconciler.AppliedRevision, Unchanged: true, await runtime.GetWarningsAsync(known, cancellationToken).ConfigureAwait(false));
            }
        }

        return null;
    }

    /// <summary>Makes an existing version the stable one; with <paramref name="skip"/>, without the quality gate (audited).</summary>
    public async Task<ReleaseRecord> ActivateAsync(string name, int number, string actor, string? reason, TestSkip? skip, CancellationToken cancellationToken)
    {
        var version = await _store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' has no version {number}.");
        CheckRouteConflicts(version.Manifest);

        // Loaded outside the gate, as a deploy loads (see DeployAsync); a version is immutable, so nothing to read again.
        var loaded = _reconciler.IsLoaded(name, number) ? null : await LoadAsync(version, cancellationToken).ConfigureAwait(false);
        try
        {
            if (skip is null)
            {
                await _quality.EnsurePassesAsync(version, loaded, cancellationToken).ConfigureAwait(false);
            }

            using (await _gate.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                CheckRouteConflicts(version.Manifest);
                // Derived from the current release, so what the activation does not move (the kill switch) stays.
                var current = (await _store.GetFunctionAsync(name, cancellationToken).ConfigureAwait(false))?.Release;
                var change = current is null
                    ? new ReleaseChange(name, number, null, 0, ReleaseActions.Activate, actor, reason)
                    : current.Change(ReleaseActions.Activate, actor, reason) with { StableVersion = number, CanaryVersion = null, CanaryWeight = 0, Pins = null };
                // A skip is audited in the change's own transaction, and only when the version takes a role it did not have.
                IReadOnlyList<AuditEntry>? skipped = skip is not null && current?.StableVersion != number ? [TestSkipRecorder.Entry(version, skip, actor)] : null;
                var release = await _store.SetReleaseAsync(change.Described() with { MoreAudit = skipped }, cancellationToken).ConfigureAwait(false);
                var handOver = loaded;
                loaded = null;
                await _reconciler.ApplyFunctionAsync(name, release, release.Revision, handOver is null ? [] : [handOver], cancellationToken).ConfigureAwait(false);
                _skips.Counted(skipped, skip);

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

    private async Task<CanaryPlacement> PlaceCanaryAsync(ReleaseRecord? current, FunctionVersion candidate, CanaryRequest canary, CancellationToken cancellationToken)
    {
        var release = current
            ?? throw new FunctionValidationException($"Function '{candidate.Name}' has no stable version yet, so its first version cannot be a canary; deploy it without 'canary'.");
        var stable = await _store.GetVersionAsync(candidate.Name, release.StableVersion, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{candidate.Name}' has no version {release.StableVersion}.");
        ReleaseRules.CheckSameRoute(stable, candidate);
        return new CanaryPlacement(release.StableVersion, canary.Weight, canary.Pins, release.Id);
    }

    private Task<ILoadedFunction> LoadAsync(FunctionVersion version, CancellationToken cancellationToken) =>
        _loader.LoadAsync(version, cancellationToken);

    private void CheckRouteConflicts(FunctionManifest manifest) => RouteConflicts.Check(manifest, _reconciler.Current);
}

/// <summary>The outcome of a deploy, with the warnings the version's source compiles with (C# only).</summary>
internal sealed record DeployOutcome(FunctionVersion Version, ReleaseRecord? Release, long Revision, bool Unchanged, IReadOnlyList<FunctionDiagnostic> Warnings);
