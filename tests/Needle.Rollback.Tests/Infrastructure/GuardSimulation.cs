using Microsoft.Extensions.Time.Testing;
using Needle.Rollback.Guard;

namespace Needle.Rollback.Tests.Infrastructure;

/// <summary>One simulated request: whether it failed, how long it took, whether it was a cold start.</summary>
internal readonly record struct SimulatedCall(bool Failed, double Ms, bool ColdStart = false);

/// <summary>
/// Seeded traffic on a simulated clock through the real <see cref="RequestHealthSource"/> and the real
/// <see cref="GuardPolicy"/>, evaluated on the schedule <see cref="CanaryGuard"/>'s loop keeps: every guard interval, and
/// a debounce after any failed request; <see cref="GuardOptions.ConsecutiveBreaches"/> breaches in a row roll back.
/// </summary>
internal sealed class GuardSimulation
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);

    /// <summary>What a version answers for its <c>n</c>-th request (0-based), drawing noise from the run's random.</summary>
    public delegate SimulatedCall Behaviour(Random random, int n);

    /// <summary>The result of one run.</summary>
    /// <param name="RolledBackAt">When the guard would have rolled the canary back, from the start.</param>
    /// <param name="FirstFailureAt">The canary's first failed or slow (≥ 100 ms warm) request.</param>
    /// <param name="Breach">The decision that rolled it back, or the last one.</param>
    public sealed record Outcome(TimeSpan? RolledBackAt, TimeSpan? FirstFailureAt, GuardDecision? Breach, int Evaluations);

    public static Outcome Run(int seed, Behaviour stable, Behaviour canary, double requestsPerSecond, double canaryShare, int requests, GuardOptions? options = null)
    {
        options ??= new GuardOptions();
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).AddMilliseconds(random.Next(1000));
        var time = new FakeTimeProvider(start);
        var health = new RequestHealthSource(time);
        var step = TimeSpan.FromSeconds(1 / requestsPerSecond);
        var nextTick = Interval;
        TimeSpan? debounced = null;
        TimeSpan? firstFailure = null;
        GuardDecision? last = null;
        int stableCount = 0, canaryCount = 0, breaches = 0, evaluations = 0;
        for (var i = 0; i < requests; i++)
        {
            var now = step * i;
            while (Due(now) is { } at)
            {
                time.SetUtcNow(start + at);
                last = GuardPolicy.Evaluate(health.GetSample("f", 1, options.Window), health.GetSample("f", 2, options.Window), options);
                evaluations++;
                breaches = last.Verdict == GuardVerdict.Breach ? breaches + 1 : 0;
                if (breaches >= options.ConsecutiveBreaches)
                {
                    return new Outcome(at, firstFailure, last, evaluations);
                }

                // The loop starts a new interval after each evaluation.
                nextTick = at + Interval;
                debounced = null;
            }

            time.SetUtcNow(start + now);

            var toCanary = random.NextDouble() < canaryShare;
            var call = toCanary ? canary(random, canaryCount++) : stable(random, stableCount++);
            health.Record("f", toCanary ? 2 : 1, call.Failed, TimeSpan.FromMilliseconds(call.Ms), call.ColdStart);
            if (toCanary && firstFailure is null && (call.Failed || (!call.ColdStart && call.Ms >= 100)))
            {
                firstFailure = now;
            }

            if (call.Failed && debounced is null)
            {
                debounced = now + Debounce;
            }
        }

        return new Outcome(null, firstFailure, last, evaluations);

        TimeSpan? Due(TimeSpan now)
        {
            var at = debounced is { } d && d < nextTick ? d : nextTick;
            return at <= now ? at : null;
        }
    }

    /// <summary>Log-normal latency around <paramref name="medianMs"/>.</summary>
    public static double LogNormal(Random random, double medianMs, double sigma)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return medianMs * Math.Exp(sigma * normal);
    }
}
