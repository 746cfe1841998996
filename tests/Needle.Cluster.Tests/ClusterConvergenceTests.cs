namespace Needle.Cluster.Tests;

/// <summary>
/// Three sample hosts in processes of their own on one PostgreSQL: a change made through any node's control plane
/// serves on every node, and a canary puts a user in the same sticky bucket everywhere.
/// </summary>
[TestClass]
public sealed class ClusterConvergenceTests
{
    [TestMethod]
    public async Task Deploy_OnNodeA_ServesOnNodesBAndC()
    {
        await using var cluster = await TestCluster.StartAsync();

        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v1';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@1");
        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v2';");

        await cluster.WaitForAllAsync("/fn/hello", "hello@2");
        foreach (var node in cluster.Nodes)
        {
            var (status, body, _) = await node.GetAsync("/fn/hello");
            Assert.AreEqual(200, status, $"{node.Id}: {body}");
            Assert.AreEqual("v2", body, $"{node.Id} answers with the new version's code");
        }
    }

    [TestMethod]
    public async Task Rollback_FromNodeC_ServesTheOldVersionOnNodesAAndB()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v1';");
        await cluster[1].Client.DeployAsync("hello", "export default async () => 'v2';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@2");

        await cluster[2].Api.RollbackAsync("hello", 1, "cluster test: back to v1");

        await cluster.WaitForAllAsync("/fn/hello", "hello@1");
        Assert.AreEqual("v1", (await cluster[0].GetAsync("/fn/hello")).Body);
        Assert.AreEqual("v1", (await cluster[1].GetAsync("/fn/hello")).Body);
    }

    [TestMethod]
    public async Task Canary_AtTenPercent_PutsAUserInTheSameStickyBucketOnEveryNode()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v1';");
        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v2';", canary: new { weight = 10 });
        // Every node has the canary once it serves it to some of a hundred users.
        await Eventually.WaitAsync(
            async () =>
            {
                foreach (var node in cluster.Nodes)
                {
                    var canaryUsers = 0;
                    for (var i = 0; i < 100; i++)
                    {
                        canaryUsers += await node.ServedVersionAsync("/fn/hello", $"user-{i}") == "hello@2" ? 1 : 0;
                    }

                    if (canaryUsers == 0)
                    {
                        return false;
                    }
                }

                return true;
            },
            "every node to serve the canary",

            // A pass is 300 requests in turn, and a node's first load of the canary can take tens of seconds under load.
            TestCluster.ConvergeTimeout);

        var onCanary = 0;
        for (var i = 0; i < 300; i++)
        {
            var user = $"user-{i}";
            var versions = new List<string?>();
            foreach (var node in cluster.Nodes)
            {
                versions.Add(await node.ServedVersionAsync("/fn/hello", user));
            }

            Assert.AreEqual(1, versions.Distinct().Count(), $"{user} got {string.Join(", ", versions)} on nodes a, b, c");
            onCanary += versions[0] == "hello@2" ? 1 : 0;
        }

        Assert.IsTrue(onCanary is > 5 and < 75, $"{onCanary} of 300 users are on the 10 % canary");
    }
}
