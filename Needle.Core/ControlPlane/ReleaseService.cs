using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Quality;
using Needle.Releases;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;
using Needle.Telemetry;

namespace Needle.ControlPlane;

/// <summary>
/// Release moves: canary weight and pins, promote, abort, roll back, or a whole release at once. Each is checked
/// against the release it starts from (another change in between is a conflict, nothing changes), loads any version
/// not loaded yet (outside the change gate) before the store is written, writes one release row with its audit event, and is applied here at once.
/// </summary>
internal sealed class ReleaseService
{
    private const int HistoryDepth = 200;
    private readonly INeedleStore _store;
    private readonly VersionLoader _loader;
    private readonly Reconciler _reconciler;
    private readonly ChangeGate _gate;
    private readonly NeedleOptions _options;
    private readonly NeedleMetrics _metrics;
    private readonly QualityGate _quality;
    private readonly TestSkipRecorder _skips;

    public ReleaseService(INeedleStore store, VersionLoader loader, Reconciler reconciler, ChangeGate gate, IOptions<NeedleOptions> options, NeedleMetrics metrics, QualityGate quality, TestSkipRecorder skips)
    {
        _skips = skips;
        _quality = quality;
        _metrics = metrics;
        _store = store;
        _loader = loader;
        _reconciler = reconciler;
        _gate = gate;
        _options = options.Value;
    }

    /// <summary>Sets the whole release: stable, canary (or none), weight and pins; with <paramref name="skip"/>, without the quality gate (audited).</summary>
    public async Task<ReleaseRecord> SetAsync(string name, ReleaseTarget target, string actor, string? reason, CancellationToken cancellationToken, TestSkip? skip = null)
    {
        using var lease = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(name, cancellationToken).ConfigureAwait(false);
        var stable = target.StableVersion ?? current.StableVersion;
        if (target.CanaryVersion == stable)
        {
            throw new ArgumentException($"Version {stable} cannot be both the stable and the canary version.");
        }

        var action = target.CanaryVersion is null ? (stable == current.StableVersion ? ReleaseActions.Release : ReleaseActions.Activate) : ReleaseActions.Canary;
        var change = current.Change(action, actor, reason) with
        {
            StableVersion = stable,
            CanaryVersion = target.CanaryVersion,
            CanaryWeight = target.CanaryVersion is null ? 0 : target.Weight,
            Pins = target.Pins,
        };
        return await ChangeAsync(lease, current, change, target.Force, cancellationToken, skip).ConfigureAwait(false);
    }

    /// <summary>Puts a version (by default the current canary) in as canary with a weight and pins.</summary>
    public async Task<ReleaseRecord> SetCanaryAsync(string name, int? version, double weight, IReadOnlyList<string>? pins, bool force, string actor, string? reason, CancellationToken cancellationToken, TestSkip? skip = null)
    {
        using var lease = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(name, cancellationToken).ConfigureAwait(false);
        var canary = version ?? current.CanaryVersion
            ?? throw new NeedleConflictException($"Function '{name}' has no canary; name the version to run as canary.");
        if (canary == current.StableVersion)
        {
            throw new ArgumentException($"Version {canary} is the stable version; a canary must be another version.");
        }

        var keptPins = pins ?? (canary == current.CanaryVersion ? current.Pins : null);
        var change = current.Change(ReleaseActions.Canary, actor, reason) with { CanaryVersion = canary, CanaryWeight = weight, Pins = keptPins };
        return await ChangeAsync(lease, current, change, force, cancellationToken, skip).ConfigureAwait(false);
    }

    /// <summary>The canary becomes the stable version and serves all traffic.</summary>
    public async Task<ReleaseRecord> PromoteAsync(string name, string actor, string? reason, CancellationToken cancellationToken, TestSkip? skip = null)
    {
        using var lease = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(name, cancellationToken).ConfigureAwait(false);
        var canary = current.CanaryVersion ?? throw new NeedleConflictException($"Function '{name}' has no canary to promote.");
        var change = current.Change(ReleaseActions.Promote, actor, reason) with { StableVersion = canary, CanaryVersion = null, CanaryWeight = 0, Pins = null };
        return await ChangeAsync(lease, current, change, force: true, cancellationToken, skip).ConfigureAwait(false);
    }

    /// <summary>
    /// The canary is removed; the stable version serves all traffic. With an <paramref name="expected"/> release, canary
    /// or stable version, only while the release is still that one: otherwise nothing changes and a conflict is thrown.
    /// </summary>
    public async Task<ReleaseRecord> AbortAsync(string name, string actor, string? reason, CancellationToken cancellationToken, ReleaseExpectation expected = default)
    {
        using var lease = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(name, cancellationToken).ConfigureAwait(false);
        if (current.CanaryVersion is null)
        {
            throw new NeedleConflictException($"Function '{name}' has no canary to abort.");
        }

        Expect(current, expected);

        var change = current.Change(ReleaseActions.Abort, actor, reason) with { CanaryVersion = null, CanaryWeight = 0, Pins = null };
        return await ChangeAsync(lease, current, change, force: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rolls back: with a canary, the canary is removed and marked bad; without one, the previous stable version that
    /// is not marked bad (or <paramref name="to"/>) returns and the version it replaces is marked bad, so it is not
    /// picked again by mistake. The previous version is normally warm, so this is one swap.
    /// With an <paramref name="expected"/> canary, only that canary is rolled back: when another canary or none runs by now
    /// (someone else acted first), nothing changes and a conflict is thrown, so an automatic rollback never hits the stable version.
    /// With an expected stable version or release, likewise only while the release is still that one (an automatic
    /// revert never undoes a newer release).
    /// </summary>
    public async Task<ReleaseRecord> RollbackAsync(string name, int? to, string actor, string? reason, CancellationToken cancellationToken, ReleaseExpectation expected = default)
    {
        using var lease = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(name, cancellationToken).ConfigureAwait(false);
        Expect(current, expected);

        if (current.CanaryVersion is { } canary && to is null)
        {
            var removeCanary = current.Change(ReleaseActions.Rollback, actor, reason) with { CanaryVersion = null, CanaryWeight = 0, Pins = null, MarkBad = canary };
            return await ChangeAsync(lease, current, removeCanary, force: true, cancellationToken).ConfigureAwait(false);
        }

        var bad = (await _store.ListBadVersionsAsync(name, cancellationToken).ConfigureAwait(false)).Select(m => m.Number).ToHashSet();
        var target = to;
        if (target is null)
        {
            var history = await _store.ListReleasesAsync(name, HistoryDepth, cancellationToken).ConfigureAwait(false);
            target = history.Select(r => (int?)r.StableVersion).FirstOrDefault(n => n != current.StableVersion && !bad.Contains(n!.Value))
                ?? throw new NeedleConflictException($"Function '{name}' has no earlier good stable version to roll back to.");
        }
        else if (target == current.StableVersion)
        {
            throw new ArgumentException($"Version {target} is already the stable version of '{name}'.");
        }

        var change = current.Change(ReleaseActions.Rollback, actor, reason) with
        {
            StableVersion = target.Value,
            CanaryVersion = null,
            CanaryWeight = 0,
            Pins = null,
            MarkBad = current.StableVersion,
        };
        return await ChangeAsync(lease, current, change, force: to is null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Turns the kill switch on: every request to the function gets <paramref name="fallback"/>, no version runs.
    /// The release's versions stay loaded, so lifting the switch is one swap.
    /// </summary>
    public async Task<ReleaseRecord> KillAsync(string name, FallbackResponse fallback, string actor, string? reason, CancellationToken cancellationToken)
    {
        ReleaseRules.CheckFallback(fallback, _options);
        using var lease = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(name, cancellationToken).ConfigureAwait(false);
        var change = current.Change(ReleaseActions.Kill, actor, reason) with { KillSwitch = fallback };
        return await ChangeAsync(lease, current, change, force: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lifts the kill switch: the release's versions serve again.</summary>
    public async Task<ReleaseRecord> ReviveAsync(string name, string actor, string? reason, CancellationToken cancellationToken)
    {
        using var lease = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        var current = await CurrentAsync(name, cancellationToken).ConfigureAwait(false);
        if (current.KillSwitch is null)
        {
            throw new NeedleConflictException($"Function '{name}' has no kill switch on.");
        }

        var change = current.Change(ReleaseActions.Revive, actor, reason) with { KillSwitch = null };
        return await ChangeAsync(lease, current, change, force: true, cancellationToken).ConfigureAwait(false);
    }

    private static void Expect(ReleaseRecord current, ReleaseExpectation expected)
    {
        var name = current.Function;
        if (expected.ReleaseId is { } id && current.Id != id)
        {
            throw new NeedleConflictException($"Function '{name}' changed since release {id} (now {current.Id}); nothing changed.");
        }

        if (expected.Canary is { } canary && current.CanaryVersion != canary)
        {
            throw new NeedleConflictException($"Function '{name}' no longer runs version {canary} as canary.");
        }

        if (expected.Stable is { } stable && current.StableVersion != stable)
        {
            throw new NeedleConflictException($"Function '{name}' no longer serves version {stable} as its stable version.");
        }
    }

    private async Task<ReleaseRecord> CurrentAsync(string name, CancellationToken cancellationToken)
    {
        var function = await _store.GetFunctionAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' does not exist.");
        return function.Release ?? throw new NeedleConflictException($"Function '{name}' has no release yet; activate a version first.");
    }

    private async Task<ReleaseRecord> ChangeAsync(ChangeGate.Lease lease, ReleaseRecord current, ReleaseChange change, bool force, CancellationToken cancellationToken, TestSkip? skip = null)
    {
        ReleaseRules.CheckWeight(change.CanaryWeight);
        ReleaseRules.CheckPins(change.Pins);
        var name = change.Function;
        var stable = await _store.GetVersionAsync(name, change.StableVersion, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' has no version {change.StableVersion}.");
        FunctionVersion? canary = null;
        if (change.CanaryVersion is { } canaryNumber)
        {
            canary = await _store.GetVersionAsync(name, canaryNumber, cancellationToken).ConfigureAwait(false)
                ?? throw new NeedleNotFoundException($"Function '{name}' has no version {canaryNumber}.");
            ReleaseRules.CheckSameRoute(stable, canary);
        }

        if (!force)
        {
            var bad = await _store.ListBadVersionsAsync(name, cancellationToken).ConfigureAwait(false);
            foreach (var number in new[] { change.StableVersion, change.CanaryVersion }.OfType<int>().Where(n => n != current.StableVersion && n != current.CanaryVersion))
            {
                if (bad.FirstOrDefault(m => m.Number == number) is { } mark)
                {
                    throw new NeedleConflictException($"Version {number} of '{name}' was marked bad by {mark.Actor} at {mark.At:u} ({mark.Reason ?? "no reason given"}); pass force to release it anyway.");
                }
            }
        }

        var loaded = new List<ILoadedFunction>();
        try
        {
            var missing = new[] { stable, canary }.OfType<FunctionVersion>().Where(v => !_reconciler.IsLoaded(name, v.Number)).ToList();
            // The quality gate for a version that takes a role it did not have (a canary, a promote, an activation);
            // a rollback or an abort goes back to what served before and is never held up by it. A skip runs none.
            var newRoles = change.Action is ReleaseActions.Rollback or ReleaseActions.Abort ? [] : new[]
            {
                change.StableVersion != current.StableVersion ? stable : null,
                change.CanaryVersion != current.CanaryVersion ? canary : null,
            }.OfType<FunctionVersion>().ToList();
            var entering = skip is null ? newRoles.Where(v => !_quality.IsKnownGood(v)).ToList() : [];
            if (missing.Count > 0 || entering.Count > 0)
            {
                // Loaded and tested outside the change gate: a version's load code can run up to its runtime's load
                // limit, and other rollbacks, kill switches and deploys must not queue behind it. Then the release must
                // still be the one this change was checked against (the store enforces it too).
                lease.Exit();
                foreach (var version in missing)
                {
                    loaded.Add(await _loader.LoadAsync(version, cancellationToken).ConfigureAwait(false));
                }

                foreach (var version in entering)
                {
                    await _quality.EnsurePassesAsync(version, loaded.Find(l => l.Version.Number == version.Number), cancellationToken).ConfigureAwait(false);
                }

                await lease.ReenterAsync(cancellationToken).ConfigureAwait(false);
                if ((await CurrentAsync(name, cancellationToken).ConfigureAwait(false)).Id != current.Id)
                {
                    throw new NeedleConflictException($"Function '{name}' changed while this change loaded or tested its versions; nothing changed, try again.");
                }
            }

            // Each version a skip let in is audited in the change's own transaction.
            IReadOnlyList<AuditEntry>? skipped = skip is null || newRoles.Count == 0 ? null : newRoles.Select(v => TestSkipRecorder.Entry(v, skip, change.Actor)).ToList();
            var release = await _store.SetReleaseAsync(change.Described() with { MoreAudit = skipped }, cancellationToken).ConfigureAwait(false);
            var handOver = loaded;
            loaded = [];
            await _reconciler.ApplyFunctionAsync(name, release, release.Revision, handOver, cancellationToken).ConfigureAwait(false);
            _skips.Counted(skipped, skip);

            if (change.Action == ReleaseActions.Rollback)
            {
                _metrics.RecordRollback(name);
            }

            return release;
        }
        finally
        {
            foreach (var unused in loaded)
            {
                await unused.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A whole release as <c>PUT /functions/{name}/release</c> sets it.</summary>
internal sealed record ReleaseTarget(int? StableVersion, int? CanaryVersion, double Weight, IReadOnlyList<string>? Pins, bool Force);
