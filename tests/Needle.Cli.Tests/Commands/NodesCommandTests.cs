using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Needle.Cli.Tests.Infrastructure;

namespace Needle.Cli.Tests.Commands;

/// <summary><c>needle nodes</c> and the convergence waits: a node without a heartbeat shows as gone and is not waited for.</summary>
[TestClass]
public sealed class NodesCommandTests : CliHostTests<NodesCommandTests>
{
    [TestMethod]
    public async Task Nodes_NodeWithoutHeartbeatForAYear_ShownGoneAndLeftOutOfTheDeploysWait()
    {
        // A node that stopped long ago, at revision 0: were it counted, no deploy's --wait would ever finish.
        await using (var connection = new SqliteConnection(NeedleTestHost.StoreConnectionString(Host.Directory)))
        {
            await connection.OpenAsync();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO nodes (node_id, revision, updated_at, serving) VALUES ('old-node', 0, '2025-01-01T00:00:00.0000000Z', 'fresh=7')";
            await insert.ExecuteNonQueryAsync();
        }

        var deploy = await Host.RunAsync("deploy", Host.WriteFile("fresh.js", "export default () => 1"), "--wait");

        Assert.AreEqual(0, deploy.Exit, deploy.ToString());
        StringAssert.Matches(deploy.Output, new System.Text.RegularExpressions.Regex(@"all 1 live node\(s\) serve revision \d+"));
        var nodes = await Eventually.ValueAsync(
            async () => JsonNode.Parse((await Host.RunAsync("nodes", "-o", "json")).Output)!.AsArray(),
            list => list.Any(n => n!["state"]!.GetValue<string>() == "live" && n["functions"]!.AsArray().Any(f => f!["name"]!.GetValue<string>() == "fresh")),
            "this node's heartbeat to name fresh");
        var old = nodes.Single(n => n!["nodeId"]!.GetValue<string>() == "old-node")!;
        Assert.AreEqual("gone", old["state"]!.GetValue<string>());
        Assert.IsFalse(old["live"]!.GetValue<bool>());
        Assert.IsGreaterThan(300 * 86400.0, old["heartbeatAgeSeconds"]!.GetValue<double>());
        var table = await Host.RunAsync("nodes");
        StringAssert.Contains(table.Output, "gone");
        StringAssert.Contains(table.Output, "fresh 1");
        var status = await Host.RunAsync("status");
        StringAssert.Contains(status.Output, "1 live node(s) (1 gone, not counted), all at revision");
    }
}
