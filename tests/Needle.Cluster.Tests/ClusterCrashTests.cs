using Npgsql;

namespace Needle.Cluster.Tests;

/// <summary>
/// A node killed with SIGKILL while a deploy it received is in flight: the other nodes serve on without a failed
/// request, the store holds either the whole change or none of it, and the restarted node serves what the store says.
/// </summary>
[TestClass]
public sealed class ClusterCrashTests
{
    [TestMethod]
    public async Task NodeKilled_MidDeploy_OthersServeAndTheRestartedNodeServesTheStoresState()
    {
        // Arrange
        await using var cluster = await TestCluster.StartAsync();
        await cluster.WaitForWarmUpAsync();
        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v1';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@1", TestCluster.ConvergeTimeout);
        var load = RequestLoad.Start([(cluster[1].Client, "/fn/hello"), (cluster[2].Client, "/fn/hello")], loopsPerTarget: 2);
        await using var _ = load;

        // Each round kills node a at another moment of its deploy: before the request reaches the store, inside its
        // transaction, or between the commit and the node's own apply.
        foreach (var delay in new[] { 5, 40, 120, 300 })
        {
            // Act
            var deploy = cluster[0].Client.TryDeployAsync("hello", $"export default async () => 'killed after {delay} ms';");
            await Task.Delay(delay);
            await cluster[0].KillAsync();
            await SwallowAsync(deploy);

            // Assert: the store is whole: version numbers without a gap, the release names an existing version.
            var (numbers, stable) = await ReadStoreAsync(cluster.ConnectionString);
            CollectionAssert.AreEqual(Enumerable.Range(1, numbers.Count).ToList(), numbers, $"hello's version numbers after a kill {delay} ms into a deploy");
            CollectionAssert.Contains(numbers, stable, "the release names an existing version");

            // The others serve the store's state (the new version when it committed), the restarted node too.
            await cluster.WaitForAllAsync("/fn/hello", $"hello@{stable}", TestCluster.ConvergeTimeout);
            await cluster[0].RestartAsync();
            await cluster.WaitForAllAsync("/fn/hello", $"hello@{stable}", TestCluster.ConvergeTimeout);
        }

        await load.StopAsync();
        Assert.AreEqual(0, load.Failed, "function requests on nodes b and c: " + load);
        Assert.IsTrue(load.Requests > 50, "the client loops ran: " + load);
    }

    private static async Task SwallowAsync(Task<HttpResponseMessage> deploy)
    {
        try
        {
            (await deploy).Dispose();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // The node died under the request: no answer is what a kill looks like.
        }
    }

    private static async Task<(List<int> Numbers, int Stable)> ReadStoreAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var numbers = new List<int>();
        await using (var versions = new NpgsqlCommand("SELECT number FROM versions WHERE function = 'hello' ORDER BY number", connection))
        await using (var reader = await versions.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                numbers.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        await using var release = new NpgsqlCommand("SELECT stable_version FROM current_releases WHERE function = 'hello'", connection);
        return (numbers, Convert.ToInt32(await release.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
