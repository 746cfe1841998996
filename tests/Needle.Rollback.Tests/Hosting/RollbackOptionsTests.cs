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
    [DataRow("", "needle_jobs", "was given an empty connection string", DisplayName = "empty connection string")]
    [DataRow("Host=db;Bogus=1", "needle_jobs", "is not an Npgsql connection string", DisplayName = "unknown keyword")]
    [DataRow(null, "Needle-Jobs", "schema: 'Needle-Jobs'", DisplayName = "schema with capitals and a dash")]
    [DataRow(null, "1jobs", "schema: '1jobs'", DisplayName = "schema starting with a digit")]
    [DataRow(null, "", "schema: ''", DisplayName = "empty schema")]
    public void Validate_BadPostgresStorage_NamesWhatWasWrong(string? connectionString, string schema, string message)
    {
        var options = new RollbackOptions().UsePostgresStorage(connectionString, schema);

        var result = new RollbackOptionsValidator().Validate(null, options);

        Assert.IsTrue(result.Failed);
        StringAssert.Contains(result.FailureMessage, message);
    }

    [TestMethod]
    public void Validate_PostgresStorageConnectionStringWithPassword_NeverPrintsIt()
    {
        var options = new RollbackOptions().UsePostgresStorage("Host=db;Password=secret-pw;Bogus=1");

        var result = new RollbackOptionsValidator().Validate(null, options);

        Assert.IsTrue(result.Failed);
        Assert.DoesNotContain("secret-pw", result.FailureMessage);
    }

    [TestMethod]
    [DataRow(31, 60, "QueuePollInterval", DisplayName = "queue poll of 31 s")]
    [DataRow(1, 5, "DistributedLockTimeout", DisplayName = "lock timeout of 5 s")]
    [DataRow(1, 660, "DistributedLockTimeout", DisplayName = "lock timeout of 11 min")]
    public void Validate_ClusterTimingsOutOfRange_NamesTheOption(int queuePollSeconds, int lockSeconds, string option)
    {
        var options = new RollbackOptions
        {
            QueuePollInterval = TimeSpan.FromSeconds(queuePollSeconds),
            DistributedLockTimeout = TimeSpan.FromSeconds(lockSeconds),
        };

        var result = new RollbackOptionsValidator().Validate(null, options);

        Assert.IsTrue(result.Failed);
        StringAssert.Contains(result.FailureMessage, option);
    }

    [TestMethod]
    public void Validate_PostgresStorageOnTheStoresDatabase_Succeeds()
    {
        Assert.IsTrue(new RollbackOptionsValidator().Validate(null, new RollbackOptions().UsePostgresStorage()).Succeeded);
        Assert.IsTrue(new RollbackOptionsValidator().Validate(null, new RollbackOptions().UsePostgresStorage("Host=db;Database=jobs", "ops_jobs")).Succeeded);
    }

    [TestMethod]
    public void Validate_Defaults_Succeed()
    {
        Assert.IsTrue(new RollbackOptionsValidator().Validate(null, new RollbackOptions()).Succeeded);
    }
}
