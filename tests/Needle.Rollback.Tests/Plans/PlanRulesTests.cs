using Needle.Rollback.Plans;

namespace Needle.Rollback.Tests.Plans;

[TestClass]
public sealed class PlanRulesTests
{
    [TestMethod]
    public void Validate_ClassicPlan_ReturnsStepsAndWait()
    {
        var (version, steps, wait) = PlanRules.Validate(new PlanRequest { Version = 2, Steps = [1, 5, 20, 50, 100], StepWaitSeconds = 300 });

        Assert.AreEqual(2, version);
        CollectionAssert.AreEqual(new double[] { 1, 5, 20, 50, 100 }, steps.ToArray());
        Assert.AreEqual(TimeSpan.FromMinutes(5), wait);
    }

    [TestMethod]
    [DataRow(null, 60.0, "version is required")]
    [DataRow(new double[0], 60.0, "steps is required")]
    [DataRow(new double[] { 10, 5, 100 }, 60.0, "strictly increase")]
    [DataRow(new double[] { 10, 10, 100 }, 60.0, "strictly increase")]
    [DataRow(new double[] { 0, 50, 100 }, 60.0, "(0, 100]")]
    [DataRow(new double[] { 10, 150 }, 60.0, "(0, 100]")]
    [DataRow(new double[] { 10, 50 }, 60.0, "last step must be 100")]
    [DataRow(new double[] { 100 }, 60.0, "at least one step below 100")]
    [DataRow(new double[] { 10, 100 }, 0.5, "stepWaitSeconds")]
    public void Validate_InvalidPlan_RefusesWithAClearMessage(double[]? steps, double wait, string message)
    {
        var request = new PlanRequest { Version = message.StartsWith("version", StringComparison.Ordinal) ? null : 2, Steps = steps, StepWaitSeconds = wait };

        var error = Assert.ThrowsExactly<ArgumentException>(() => PlanRules.Validate(request));

        StringAssert.Contains(error.Message, message);
    }
}
