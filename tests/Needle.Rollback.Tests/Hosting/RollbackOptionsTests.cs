using Needle.Functions;
using Needle.Rollback.Hosting;

namespace Needle.Rollback.Tests.Hosting;

[TestClass]
public sealed class RollbackOptionsTests
{
    [TestMethod]
    public void GuardFor_ManifestSetsOneField_TakesItAndKeepsTheRestFromTheFunctionOverride()
    {
        var options = new RollbackOptions();
        options.FunctionGuards["orders"] = new() { MinimumRequests = 200, ErrorRatioDelta = 0.01, ConsecutiveBreaches = 1 };

        var effective = options.GuardFor("orders", new FunctionGuard { ErrorRatioDelta = 0.2 });

        Assert.AreEqual(0.2, effective.ErrorRatioDelta);
        Assert.AreEqual(200, effective.MinimumRequests);
        Assert.AreEqual(1, effective.ConsecutiveBreaches);
        Assert.AreEqual(0.01, options.FunctionGuards["orders"].ErrorRatioDelta, "the host's options are not changed");
    }

    [TestMethod]
    public void GuardFor_NoFunctionOverride_FallsBackToTheGlobalGuardFieldByField()
    {
        var options = new RollbackOptions();
        options.Guard.P99SlackMs = 10;

        var effective = options.GuardFor("orders", new FunctionGuard { P99Factor = 3, MinimumRequests = 5 });

        Assert.AreEqual(3, effective.P99Factor);
        Assert.AreEqual(5, effective.MinimumRequests);
        Assert.AreEqual(10, effective.P99SlackMs);
        Assert.AreEqual(options.Guard.ErrorRatioDelta, effective.ErrorRatioDelta);
        Assert.AreEqual(options.Guard.Window, effective.Window);
    }

    [TestMethod]
    public void GuardFor_NoManifestGuard_IsTheHostsOwnOptions()
    {
        var options = new RollbackOptions();

        Assert.AreSame(options.Guard, options.GuardFor("orders", null));
    }

    [TestMethod]
    [DataRow(0, 5, 0.01, "Guard.MinimumErrors and Guard.MinimumSlowRequests must be at least 1", DisplayName = "no minimum errors")]
    [DataRow(5, 0, 0.01, "Guard.MinimumErrors and Guard.MinimumSlowRequests must be at least 1", DisplayName = "no minimum slow requests")]
    [DataRow(5, 5, 0.0, "Guard.Alpha must be in (0, 0.5]", DisplayName = "alpha 0")]
    [DataRow(5, 5, 0.9, "Guard.Alpha must be in (0, 0.5]", DisplayName = "alpha 0.9")]
    [DataRow(5, 5, double.NaN, "Guard.Alpha must be in (0, 0.5]", DisplayName = "alpha NaN")]
    public void Validate_EvidenceOptionsOutOfRange_NamesTheField(int minimumErrors, int minimumSlow, double alpha, string message)
    {
        var options = new RollbackOptions();
        options.Guard.MinimumErrors = minimumErrors;
        options.Guard.MinimumSlowRequests = minimumSlow;
        options.Guard.Alpha = alpha;

        var result = new RollbackOptionsValidator().Validate(null, options);

        Assert.IsTrue(result.Failed);
        StringAssert.Contains(result.FailureMessage, message);
    }

    [TestMethod]
    public void Validate_Defaults_Succeed()
    {
        Assert.IsTrue(new RollbackOptionsValidator().Validate(null, new RollbackOptions()).Succeeded);
    }
}
