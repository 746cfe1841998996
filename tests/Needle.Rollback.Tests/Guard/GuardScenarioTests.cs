using Needle.Rollback.Guard;
using Needle.Rollback.Tests.Infrastructure;
using static Needle.Rollback.Tests.Infrastructure.GuardSimulation;

namespace Needle.Rollback.Tests.Guard;

/// <summary>
/// The guard's statistics over seeded, simulated traffic (the real health source and policy, on a simulated clock and
/// the guard loop's schedule): healthy canaries are never rolled back, bad ones always are, within 10 s.
/// </summary>
[TestClass]
public sealed class GuardScenarioTests
{
    [TestMethod]
    public void Run_IssueScenario2000SequentialRequestsTwentyTimes_NeverRollsBack()
    {
        // v1 and v2 behave the same (a trivial function, sub-millisecond); v2 is a canary at 10 % without a user key, and
        // its first call takes 52 ms (its engine's start), the request the old guard rolled back on, not flagged as a cold start.
        SimulatedCall Trivial(Random random, int n) => new(false, n == 0 ? 52 : LogNormal(random, 0.6, 0.35));

        var outcomes = Enumerable.Range(0, 20).Select(seed => Run(seed, Trivial, Trivial, requestsPerSecond: 100, canaryShare: 0.10, requests: 2000)).ToList();

        Assert.AreEqual(0, outcomes.Count(o => o.RolledBackAt is not null), string.Join("\n", outcomes.Where(o => o.RolledBackAt is not null).Select(o => o.Breach!.Reason)));
        Assert.IsTrue(outcomes.All(o => o.Evaluations >= 9), "the guard looked at every run");
    }

    [TestMethod]
    public void Run_HealthyCanariesUnderNoisyTraffic_FiftySeededRunsNoRollback()
    {
        var rollbacks = new List<string>();
        for (var seed = 0; seed < 50; seed++)
        {
            var random = new Random(seed * 7919);
            var rate = random.Next(50, 500);
            var share = new[] { 0.01, 0.05, 0.10, 0.25, 0.50 }[random.Next(5)];
            var transient = random.Next(0, 40);

            // Stable: mixed endpoints (a slow path on 2 %), GC-like pauses on 0.3 %, an occasional engine start, 0.5 % errors.
            SimulatedCall Noisy(Random r, int n)
            {
                if (r.NextDouble() < 0.002)
                {
                    return new(false, 60 + (r.NextDouble() * 140), ColdStart: true);
                }

                var ms = r.NextDouble() < 0.02 ? LogNormal(r, 25, 0.4) : LogNormal(r, 4, 0.5);
                ms += r.NextDouble() < 0.003 ? 80 + (r.NextDouble() * 170) : 0;
                return new(r.NextDouble() < 0.005, ms);
            }

            // The canary behaves the same, starts cold (four engines), and has one transient error early on.
            SimulatedCall Canary(Random r, int n) =>
                n < 4 ? new(false, 60 + (r.NextDouble() * 140), ColdStart: true)
                : n == transient ? new(true, 5)
                : Noisy(r, n);

            var outcome = Run(seed, Noisy, Canary, rate, share, requests: rate * 90);
            if (outcome.RolledBackAt is not null)
            {
                rollbacks.Add($"seed {seed} ({rate} req/s, {share:P0}): {outcome.Breach!.Reason}");
            }
        }

        Assert.AreEqual(0, rollbacks.Count, string.Join("\n", rollbacks));
    }

    [TestMethod]
    [DataRow("errors +10 points", DisplayName = "error ratio 10 points above stable")]
    [DataRow("+200 ms", DisplayName = "200 ms slower on every request")]
    [DataRow("all failing", DisplayName = "every request failing")]
    public void Run_BadCanaryAtFiftyRequestsPerSecond_FiftySeededRunsRolledBackWithinTenSeconds(string kind)
    {
        var late = new List<string>();
        var times = new List<double>();
        for (var seed = 0; seed < 50; seed++)
        {
            SimulatedCall Stable(Random r, int n) => new(r.NextDouble() < 0.01, LogNormal(r, 4, 0.5));
            SimulatedCall Bad(Random r, int n) => kind switch
            {
                "errors +10 points" => new(r.NextDouble() < 0.11, LogNormal(r, 4, 0.5)),
                "+200 ms" => new(r.NextDouble() < 0.01, LogNormal(r, 4, 0.5) + 200),
                _ => new(true, LogNormal(r, 4, 0.5)),
            };

            // 500 req/s with the canary at 10 %: 50 req/s reach the canary.
            var outcome = Run(seed, Stable, Bad, requestsPerSecond: 500, canaryShare: 0.10, requests: 500 * 30);
            var elapsed = outcome.RolledBackAt - outcome.FirstFailureAt;
            if (elapsed is not { } e || e > TimeSpan.FromSeconds(10))
            {
                late.Add($"seed {seed}: {(elapsed is null ? "never rolled back" : $"{elapsed.Value.TotalSeconds:F1} s")}; last: {outcome.Breach?.Reason}");
            }
            else
            {
                times.Add(e.TotalSeconds);
            }
        }

        Assert.AreEqual(0, late.Count, string.Join("\n", late));
        Assert.AreEqual(50, times.Count);
    }
}
