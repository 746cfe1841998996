using Needle.Rollback.Guard;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.Guard;

[TestClass]
public sealed class GuardPolicyTests
{
    private static readonly GuardOptions Options = new();

    // Stable: 1,000 requests, 10 errors (1 %), every warm request 8 ms (p99 read as 10 ms): the latency limit is 2 × 10 + 50 = 70 ms.
    private static readonly HealthSample Stable = Samples.Of(1000, 10);

    [TestMethod]
    [DataRow(19L, 19L, 0L, 0L, GuardVerdict.InsufficientData, "fewer than the minimum 20", DisplayName = "below the minimum requests, even all failing: holds")]
    [DataRow(20L, 1L, 0L, 0L, GuardVerdict.InsufficientData, "a p99 needs 100", DisplayName = "one transient error in the first 20 (a 4-point delta): holds")]
    [DataRow(20L, 4L, 0L, 0L, GuardVerdict.InsufficientData, "a p99 needs 100", DisplayName = "4 errors in 20 (20 %): fewer than 5 errors, holds")]
    [DataRow(20L, 5L, 0L, 0L, GuardVerdict.Breach, "with 5 canary errors (minimum 5)", DisplayName = "5 errors in 20 (25 %): Fisher p = 4.5e-6, breach")]
    [DataRow(100L, 4L, 0L, 0L, GuardVerdict.Healthy, "healthy", DisplayName = "4 errors in 100 (3 points over stable): fewer than 5 errors, no evidence either way")]
    [DataRow(100L, 7L, 0L, 0L, GuardVerdict.Breach, "one-sided Fisher exact test p = 3.79E-4 < alpha 0.01", DisplayName = "7 errors in 100 (6 points): Fisher p = 3.8e-4, breach")]
    [DataRow(1000L, 45L, 0L, 0L, GuardVerdict.Marginal, "marginal (worse", DisplayName = "3.5 points over stable on 1,000: under the delta, marginal")]
    [DataRow(100L, 1L, 0L, 0L, GuardVerdict.Healthy, "healthy", DisplayName = "like stable: healthy")]
    [DataRow(200L, 0L, 0L, 5L, GuardVerdict.Breach, "with 5 slow canary requests (minimum 5)", DisplayName = "5 of 200 warm requests at 150 ms (limit 70): breach")]
    [DataRow(200L, 0L, 0L, 4L, GuardVerdict.Healthy, "healthy", DisplayName = "4 slow requests: p99 over the limit but fewer than 5, no verdict from outliers")]
    [DataRow(200L, 0L, 1L, 0L, GuardVerdict.Healthy, "cold starts left out of latency: canary 1", DisplayName = "one cold start (its 52 ms left out): healthy")]
    [DataRow(200L, 0L, 150L, 0L, GuardVerdict.InsufficientData, "50 warm requests (150 cold starts left out)", DisplayName = "mostly cold starts: too few warm requests for a p99, holds")]
    public void Evaluate_Table_GivesTheVerdictWithItsNumbers(long requests, long errors, long coldStarts, long slow, GuardVerdict expected, string reason)
    {
        var decision = GuardPolicy.Evaluate(Stable, Samples.Of(requests, errors, coldStarts, slow), Options);

        Assert.AreEqual(expected, decision.Verdict, decision.Reason);
        StringAssert.Contains(decision.Reason, reason);
    }

    [TestMethod]
    public void Evaluate_TenRequestsPastTheHealthyMarginButUnderTheLimit_IsMarginal()
    {
        // 10 of 200 at 60 ms: past the margin (10 + 0.5 × 60 = 40 ms), none certainly at the 70 ms limit.
        var decision = GuardPolicy.Evaluate(Stable, Samples.Of(200, 0, slow: 10, slowMs: 60), Options);

        Assert.AreEqual(GuardVerdict.Marginal, decision.Verdict, decision.Reason);
        Assert.AreEqual(0, decision.Latency.CanarySlowRequests);
    }

    [TestMethod]
    public void Evaluate_ErrorBreach_ReportsTheTestPValueAndCountsForAHandCheck()
    {
        var decision = GuardPolicy.Evaluate(Stable, Samples.Of(100, 7), Options);

        Assert.AreEqual(GuardPolicy.FisherTest, decision.Errors.Test);
        Assert.AreEqual(3.7933e-4, decision.Errors.PValue, 1e-7);
        Assert.AreEqual((7L, 100L, 10L, 1000L), (decision.Errors.CanaryErrors, decision.Errors.CanaryRequests, decision.Errors.StableErrors, decision.Errors.StableRequests));
        Assert.AreEqual(0.06, decision.Errors.Delta, 1e-9);
        Assert.IsTrue(decision.Errors.Breach);
        StringAssert.Contains(decision.Reason, "canary 7/100 errors (7.0 %), stable 10/1000 (1.0 %)");
    }

    [TestMethod]
    public void Evaluate_LatencyBreach_ReportsLimitSlowCountsAndPValue()
    {
        var decision = GuardPolicy.Evaluate(Stable, Samples.Of(200, 0, slow: 5), Options);

        Assert.IsTrue(decision.Latency.Compared);
        Assert.AreEqual(70, decision.Latency.LimitMs, 1e-9);
        Assert.AreEqual((5L, 200L, 0L, 1000L), (decision.Latency.CanarySlowRequests, decision.Latency.CanaryWarmRequests, decision.Latency.StableSlowRequests, decision.Latency.StableWarmRequests));
        Assert.AreEqual(1.2331e-4, decision.Latency.PValue!.Value, 1e-7);
        StringAssert.Contains(decision.Reason, "at or above it canary 5/200 / stable 0/1000");
    }

    [TestMethod]
    public void Evaluate_NoStableTraffic_JudgesErrorsAgainstTheDeltaAndLeavesLatencyAlone()
    {
        var slow = GuardPolicy.Evaluate(HealthSample.Empty, Samples.Of(150, 0, slow: 150), Options);
        var failing = GuardPolicy.Evaluate(HealthSample.Empty, Samples.Of(50, 10), Options);
        var fewErrors = GuardPolicy.Evaluate(HealthSample.Empty, Samples.Of(50, 4), Options);

        Assert.AreEqual(GuardVerdict.Healthy, slow.Verdict, slow.Reason);
        Assert.AreEqual(GuardVerdict.Breach, failing.Verdict, failing.Reason);
        Assert.AreEqual(GuardPolicy.BinomialTest, failing.Errors.Test);
        Assert.AreEqual(1.5856e-4, failing.Errors.PValue, 1e-7);
        Assert.AreNotEqual(GuardVerdict.Breach, fewErrors.Verdict);
    }

    [TestMethod]
    public void Evaluate_SourceWithoutLatencies_NeverCallsALatencyBreach()
    {
        var decision = GuardPolicy.Evaluate(new HealthSample(1000, 0, 10), new HealthSample(200, 0, 5000), Options);

        Assert.AreNotEqual(GuardVerdict.Breach, decision.Verdict);
        Assert.IsFalse(decision.Latency.Compared);
        StringAssert.Contains(decision.Reason, "the source keeps no latencies");
    }

    [TestMethod]
    [DataRow(7L, 100L, 10L, 1000L, 3.793327685e-4)]
    [DataRow(5L, 20L, 10L, 1000L, 4.513453302e-6)]
    [DataRow(1L, 20L, 0L, 180L, 0.1)]
    [DataRow(11L, 100L, 9L, 900L, 4.619471811e-7)]
    [DataRow(3L, 10L, 1L, 10L, 0.2910216718)]
    [DataRow(0L, 10L, 5L, 10L, 1.0)]
    public void FisherGreater_KnownTables_MatchTheExactHypergeometricTail(long a, long n1, long c, long n2, double expected)
    {
        Assert.AreEqual(expected, Significance.FisherGreater(a, n1, c, n2), expected * 1e-6);
    }

    [TestMethod]
    [DataRow(10L, 50L, 0.05, 1.585632944e-4)]
    [DataRow(5L, 100L, 0.01, 3.432321588e-3)]
    [DataRow(0L, 100L, 0.01, 1.0)]
    public void BinomialGreater_KnownValues_MatchTheExactTail(long hits, long size, double rate, double expected)
    {
        Assert.AreEqual(expected, Significance.BinomialGreater(hits, size, rate), expected * 1e-6);
    }
}
