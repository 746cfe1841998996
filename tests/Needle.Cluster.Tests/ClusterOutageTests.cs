using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace Needle.Cluster.Tests;

/// <summary>
/// PostgreSQL goes away under three nodes serving traffic: every node keeps serving what it loaded with no failed
/// function request, the control plane answers 503 at once, the health check says Degraded, and when the database
/// returns every node reconnects and a deploy made then serves everywhere. The class has a PostgreSQL of its own, so
/// stopping it breaks no other test.
/// </summary>
[TestClass]
public sealed class ClusterOutageTests
{
    // "At once": connecting to a stopped server is refused in milliseconds, and once the store is known to be down no
    // call waits on the network at all. The bound is what tells that apart from a call that waited out a timeout: just
    // under the nodes' connect timeout (the store's default, 5 s; its command timeout is 10 s), and not 2 s, which a
    // plain HTTP answer overran on the loaded 2-core machine.
    private static readonly TimeSpan AnswerBound = new Needle.Hosting.PostgresStoreOptions().ConnectTimeout - TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);
    private static PostgresServer? s_server;

    [ClassCleanup]
    public static async Task StopServerAsync()
    {
        if (s_server is not null)
        {
            await s_server.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task PostgresStopped_UnderLoad_NodesServeAnswer503AndConvergeAfterRestart()
    {
        // Arrange: three nodes serve hello@1 under a few client loops each.
        var server = s_server ??= await PostgresServer.StartPrivateAsync();
        var database = await server.NewDatabaseAsync();
        await using var cluster = await TestCluster.StartAsync(connectionString: database);
        await cluster.WaitForWarmUpAsync();
        await cluster[0].Client.DeployAsync("hello", "export default async () => 'v1';");
        await cluster[0].Client.DeployAsync("other", "export default async () => 'other';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@1", TestCluster.ConvergeTimeout);
        await cluster.WaitForAllAsync("/fn/other", "other@1", TestCluster.ConvergeTimeout);
        var load = RequestLoad.Start(cluster.Nodes.SelectMany(n => new[] { (n.Client, "/fn/hello"), (n.Client, "/fn/other") }), loopsPerTarget: 2);
        await using var _ = load;
        await Eventually.WaitAsync(() => load.Requests > 30, "the client loops to get going", TimeSpan.FromSeconds(30));

        // Act: the database goes away for 20 s.
        var outage = Stopwatch.StartNew();
        await server.StopAsync();

        // Assert: the control plane of every node refuses at once, with problem details naming the store.
        foreach (var node in cluster.Nodes)
        {
            await AssertStoreUnavailableAsync(node, HttpMethod.Get, "functions");
            await AssertStoreUnavailableAsync(node, HttpMethod.Get, "functions/hello");
            await AssertStoreUnavailableAsync(node, HttpMethod.Get, "functions/hello/releases");
            await AssertStoreUnavailableAsync(node, HttpMethod.Get, "audit");
            await AssertStoreUnavailableAsync(node, HttpMethod.Get, "nodes");
            await AssertStoreUnavailableAsync(node, HttpMethod.Post, "functions/hello/versions", new { source = "export default async () => 'lost';" });
            await AssertStoreUnavailableAsync(node, HttpMethod.Post, "functions/hello/rollback", new { reason = "outage test" });
            await AssertStoreUnavailableAsync(node, HttpMethod.Post, "functions/hello/kill", new { fallback = new { status = 503 }, reason = "outage test" });
            await AssertStoreUnavailableAsync(node, HttpMethod.Put, "functions/hello/release", new { stableVersion = 1, reason = "outage test" });

            var health = await TimedAsync(() => node.GetAsync("/healthz"));
            Assert.AreEqual("Degraded", health.Result.Body, $"{node.Id}'s health while the store is down");
            Assert.IsTrue(health.Elapsed < AnswerBound, $"{node.Id}'s health check took {health.Elapsed}");
        }

        // ... and keeps refusing at once while the store is probed again, until the 20 s are over.
        var slowest = TimeSpan.Zero;
        while (outage.Elapsed < Outage)
        {
            foreach (var node in cluster.Nodes)
            {
                var answer = await TimedAsync(() => node.Client.GetAsync(NeedleHttp.ApiPath + "/functions"));
                using var response = answer.Result;
                Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode, $"{node.Id} at {outage.Elapsed}");
                slowest = answer.Elapsed > slowest ? answer.Elapsed : slowest;
            }

            await Task.Delay(500);
        }

        Assert.IsTrue(slowest < AnswerBound, $"the slowest 503 during the outage took {slowest}");
        Assert.AreEqual(0, load.Failed, "function requests during the outage: " + load);

        // The database returns: every node takes changes again, and a deploy made now serves everywhere.
        await server.StartAsync();
        foreach (var node in cluster.Nodes)
        {
            await Eventually.WaitAsync(
                async () => (await node.GetAsync(NeedleHttp.ApiPath + "/functions")).Status == 200,
                $"{node.Id}'s control plane to answer again",
                TestCluster.ConvergeTimeout,
                TimeSpan.FromMilliseconds(200));
        }

        await cluster[1].Client.DeployAsync("hello", "export default async () => 'v2';");
        await cluster.WaitForAllAsync("/fn/hello", "hello@2", TestCluster.ConvergeTimeout);
        foreach (var node in cluster.Nodes)
        {
            await Eventually.WaitAsync(
                async () => (await node.GetAsync("/healthz")).Body == "Healthy",
                $"{node.Id}'s health to be Healthy again",
                TestCluster.ConvergeTimeout,
                TimeSpan.FromMilliseconds(200));
        }

        await load.StopAsync();
        Assert.AreEqual(0, load.Failed, "function requests over the outage and the return: " + load);

        // Nothing committed before the outage is lost, and nothing refused during it was half written.
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var versions = new NpgsqlCommand("SELECT string_agg(function || '@' || number, ',' ORDER BY function, number) FROM versions", connection);
        Assert.AreEqual("hello@1,hello@2,other@1", await versions.ExecuteScalarAsync());
    }

    private static async Task AssertStoreUnavailableAsync(ClusterNode node, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, NeedleHttp.ApiPath + "/" + path) { Content = body is null ? null : JsonContent.Create(body) };
        var answer = await TimedAsync(() => node.Client.SendAsync(request));
        using var response = answer.Result;
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode, $"{node.Id} {method} {path}: {text}");
        Assert.IsTrue(answer.Elapsed < AnswerBound, $"{node.Id} {method} {path} answered after {answer.Elapsed}");
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, $"{node.Id} {method} {path}");
        StringAssert.Contains(text, "Store unavailable", $"{node.Id} {method} {path}");
        Assert.IsNotNull(response.Headers.RetryAfter?.Delta, $"{node.Id} {method} {path} says when to retry");
    }

    private static async Task<(T Result, TimeSpan Elapsed)> TimedAsync<T>(Func<Task<T>> call)
    {
        var watch = Stopwatch.StartNew();
        var result = await call();
        return (result, watch.Elapsed);
    }
}
