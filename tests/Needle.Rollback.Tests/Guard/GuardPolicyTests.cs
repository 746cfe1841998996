using Needle.Rollback.Guard;

namespace Needle.Rollback.Tests.Guard;

[TestClass]
public sealed class GuardPolicyTests
{
    private static readonly GuardOptions Options = new();
    private static readonly HealthSample Stable = new(1000, 10, 40);

    [TestMethod]
    public void Evaluate_FewerThanMinimumRequests_DecidesNothingEvenWhenAllFail()
    {
        var decision = GuardPolicy.Evaluate(Stable, new HealthSample(19, 19, 5000), Options);

        Assert.AreEqual(GuardVerdict.InsufficientData, decision.Verdict);
        StringAssert.Contains(decision.Reason, "fewer than the minimum 20");
    }

    [TestMethod]
    public void Evaluate_ErrorRatioFivePointsAboveStable_IsBreachWithTheNumbers()
    {
        var decision = GuardPolicy.Evaluate(Stable, new HealthSample(100, 7, 40), Options);

        Assert.AreEqual(GuardVerdict.Breach, decision.Verdict);
        StringAssert.Contains(decision.Reason, "7/100 errors");
        StringAssert.Contains(decision.Reason, "threshold 5.0");
    }

    [TestMethod]
    public void Evaluate_P99AtFactorTimesStablePlusSlack_IsBreach()
    {
        var decision = GuardPolicy.Evaluate(Stable, new HealthSample(100, 1, 130), Options);

        Assert.AreEqual(GuardVerdict.Breach, decision.Verdict);
        StringAssert.Contains(decision.Reason, "p99 130 ms at or above 130 ms");
    }

    [TestMethod]
    public void Evaluate_CanaryLikeStable_IsHealthy()
    {
        var decision = GuardPolicy.Evaluate(Stable, new HealthSample(100, 1, 45), Options);

        Assert.AreEqual(GuardVerdict.Healthy, decision.Verdict);
    }

    [TestMethod]
    public void Evaluate_JustUnderTheThreshold_IsMarginalNotHealthy()
    {
        // 4 points above stable: under the 5-point breach, over the 2.5-point healthy margin.
        var decision = GuardPolicy.Evaluate(Stable, new HealthSample(100, 5, 40), Options);

        Assert.AreEqual(GuardVerdict.Marginal, decision.Verdict);
    }

    [TestMethod]
    public void Evaluate_NoStableTraffic_JudgesErrorsOnly()
    {
        var slow = GuardPolicy.Evaluate(HealthSample.Empty, new HealthSample(50, 0, 900), Options);
        var failing = GuardPolicy.Evaluate(HealthSample.Empty, new HealthSample(50, 10, 10), Options);

        Assert.AreEqual(GuardVerdict.Healthy, slow.Verdict);
        Assert.AreEqual(GuardVerdict.Breach, failing.Verdict);
    }
}
