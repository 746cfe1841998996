using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Releases;
using Needle.Rollback.Hosting;
using Needle.Rollback.Plans;
using Needle.Rollback.State;
using Needle.Rollback.Telemetry;
using Needle.Serving;
using Needle.Store;

namespace Needle.Rollback.Guard;

/// <summary>
/// Watches every canary this node serves. A loop evaluates them every <see cref="RollbackOptions.GuardInterval"/>,
/// and soon after any failed request (debounced, off the request path: the request only releases a semaphore).
/// Thresholds are the canary version's effective ones (<see cref="ThresholdsFor"/>: its manifest's <c>guard</c> over the host's).
/// A breach seen <see cref="GuardOptions.ConsecutiveBreaches"/> times in a row rolls the canary back at once, directly
/// through the release service, never through the queue. The recurring <c>needle-guard</c> job calls the same evaluation as a backstop.
/// </summary>
internal sealed class CanaryGuard : BackgroundService
{
    public const string Actor = "needle-guard";

    private readonly INeedleServingState _serving;
    private readonly INeedleReleases _releases;
    private readonly ICanaryHealthSource _health;
    private readonly IRollbackStateStore _state;
    private readonly RollbackMetrics _metrics;
    private readonly RollbackOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CanaryGuard> _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly SemaphoreSlim _evaluating = new(1, 1);
    private readonly ConcurrentDictionary<(string Function, int Version), int> _breaches = new();
    private readonly ConcurrentDictionary<(string Function, int Version), byte> _acted = new();

    public CanaryGuard(
        INeedleServingState serving,
        INeedleReleases releases,
        ICanaryHealthSource health,
        RequestHealthSource requests,
        IRollbackStateStore state,
        RollbackMetrics metrics,
        IOptions<RollbackOptions> options,
        TimeProvider time,
        ILogger<CanaryGuard> logger)
    {
        _serving = serving;
        _releases = releases;
        _health = health;
        _state = state;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        requests.ErrorRecorded += _ => Signal();
    }

    /// <summary>Asks the loop to evaluate soon. Cheap and non-blocking: safe on the request path.</summary>
    public void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another request signalled first; one pending evaluation is enough.
            }
        }
    }

    /// <summary>The effective thresholds for <paramref name="version"/>: its manifest's <c>guard</c> section over the host's options, field by field.</summary>
    public GuardOptions ThresholdsFor(FunctionVersion version) => _options.GuardFor(version.Name, version.Manifest.Guard);

    /// <summary>Whether the guard rolls canaries back by itself (<see cref="RollbackOptions.GuardEnabled"/>): its loop and the backstop job judge none when off.</summary>
    public bool Enabled => _options.GuardEnabled;

    /// <summary>Judges a canary against its stable version with the canary's effective thresholds; changes nothing.</summary>
    public GuardDecision Judge(int stableVersion, FunctionVersion canary)
    {
        var guard = ThresholdsFor(canary);
        return GuardPolicy.Evaluate(_health.GetSample(canary.Name, stableVersion, guard.Window), _health.GetSample(canary.Name, canary.Number, guard.Window), guard);
    }

    /// <summary>
    /// The canaries this node serves now, each with its stable version (by function name); a function with its kill
    /// switch on runs neither, so it is left out unless <paramref name="includeKilled"/>.
    /// </summary>
    public IEnumerable<(int StableVersion, FunctionVersion Canary)> Canaries(bool includeKilled)
    {
        foreach (var function in _serving.GetFunctions())
        {
            if (function.CanaryVersion is { } number && (includeKilled || !function.KillSwitchOn) && _serving.FindVersion(function.Name, number) is { } canary)
            {
                yield return (function.StableVersion, canary);
            }
        }
    }

    /// <summary>Evaluates every canary this node serves, and rolls back those in breach.</summary>
    public async Task<IReadOnlyList<GuardResult>> EvaluateAllAsync(CancellationToken cancellationToken)
    {
        // One evaluation at a time: the loop and the backstop job must not count one breach twice.
        await _evaluating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var results = new List<GuardResult>();
            foreach (var (stableVersion, canary) in Canaries(includeKilled: false))
            {
                try
                {
                    results.Add(await EvaluateAsync(stableVersion, canary, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    RollbackLog.GuardFailed(_logger, ex, canary.Name);
                }
            }

            return results;
        }
        finally
        {
            _evaluating.Release();
        }
    }

    /// <summary>Rolls a canary back now, if it still runs: audited with <paramref name="reason"/>, counted, and any plan releasing it ends.</summary>
    public async Task<bool> RollBackCanaryAsync(string function, int canaryVersion, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await _releases.RollbackAsync(function, null, Actor, reason, new ReleaseExpectation(Canary: canaryVersion), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NeedleConflictException or NeedleNotFoundException)
        {
            // Someone (another node's guard seeing the same cluster figures, a person) removed it first: the release's
            // expected canary made this move a conflict, so the cluster gets one rollback and one audit event.
            RollbackLog.GuardRollbackLost(_logger, function, canaryVersion, ex.Message);
            return false;
        }

        _metrics.GuardRolledBack(function, canaryVersion);
        RollbackLog.GuardRolledBack(_logger, function, canaryVersion, reason);
        if (await _state.GetLatestPlanAsync(function, cancellationToken).ConfigureAwait(false) is { Status: ReleasePlan.Running } plan && plan.Version == canaryVersion)
        {
            var now = _time.GetUtcNow();
            await _state.UpdatePlanAsync(plan with { Status = "rolled-back", Detail = reason, UpdatedAt = now }, ReleasePlan.Running, plan.StepIndex, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.GuardEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.GuardInterval, _time);
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
                try
                {
                    await _signal.WaitAsync(wake.Token).ConfigureAwait(false);

                    // Let a burst of failures land in the window before judging it.
                    await Task.Delay(_options.GuardDebounce, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The interval passed without a signal: evaluate anyway.
                }

                await EvaluateAllAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<GuardResult> EvaluateAsync(int stableVersion, FunctionVersion canary, CancellationToken cancellationToken)
    {
        var (function, canaryVersion) = (canary.Name, canary.Number);
        var key = (function, canaryVersion);
        var decision = Judge(stableVersion, canary);
        if (decision.Verdict != GuardVerdict.Breach)
        {
            _breaches.TryRemove(key, out _);
            return new GuardResult(function, stableVersion, canaryVersion, decision, RolledBack: false);
        }

        var seen = _breaches.AddOrUpdate(key, 1, (_, count) => count + 1);
        if (seen < ThresholdsFor(canary).ConsecutiveBreaches || !_acted.TryAdd(key, 0))
        {
            return new GuardResult(function, stableVersion, canaryVersion, decision, RolledBack: false);
        }

        var rolledBack = await RollBackCanaryAsync(function, canaryVersion, "guard: " + decision.Reason, cancellationToken).ConfigureAwait(false);
        return new GuardResult(function, stableVersion, canaryVersion, decision, rolledBack);
    }

    public override void Dispose()
    {
        _signal.Dispose();
        _evaluating.Dispose();
        base.Dispose();
    }
}
