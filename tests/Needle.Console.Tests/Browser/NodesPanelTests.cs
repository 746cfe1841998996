using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Needle.Console.Tests.Infrastructure;
using Needle.Hosting;

namespace Needle.Console.Tests.Browser;

/// <summary>The function page's nodes: which node serves which version (stable and canary), live or gone, heartbeat age.</summary>
[TestClass]
public sealed class NodesPanelTests
{
    // The page refreshes every 3 s and a gone node needs NodeGoneAfter without a heartbeat; a loaded machine is slow.
    private static readonly LocatorAssertionsToHaveTextOptions Patient = new() { Timeout = 30_000 };

    [TestMethod]
    public async Task FunctionPage_TwoNodesThenOneStopsAndOneCrashes_ShowsWhatEachServesTheStoppedOneLeavesTheCrashedOneGone()
    {
        await using var host = await ConsoleHost.StartAsync(configure: b => b.Services.Configure<NeedleOptions>(Heartbeats));
        var other = await NeedleTestHost.StartAsync(new NeedleTestHostSettings { Directory = host.Directory, NodeId = "node-b", Options = Heartbeats });
        var stopped = false;
        try
        {
            await host.DeployAsync("hello", "export default () => ({ message: 'v2' })", new { route = "/hello", methods = new[] { "GET" } }, canary: new { weight = 10 });
            var page = await Infrastructure.Browser.NewPageAsync();
            await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/hello").ToString());
            var b = page.Locator("[data-testid=node][data-node=node-b]");
            var self = page.Locator("[data-testid=node][data-node=console-test-node]");

            await Assertions.Expect(b.GetByTestId("node-serves")).ToHaveTextAsync("v1 + canary v2", Patient);
            await Assertions.Expect(self.GetByTestId("node-serves")).ToHaveTextAsync("v1 + canary v2", Patient);
            await Assertions.Expect(b.GetByTestId("node-state")).ToHaveTextAsync("live");
            await Assertions.Expect(b.GetByTestId("node-heartbeat")).ToHaveTextAsync(new Regex(@"^heartbeat \d+ s ago$"));

            // A clean stop: the node leaves the table, so the panel no longer lists it.
            await other.DisposeAsync();
            stopped = true;
            await Assertions.Expect(b).ToHaveCountAsync(0, new() { Timeout = 30_000 });

            // A crash: the node's last heartbeat (written here through the store) ages until the node is gone.
            var store = host.Services.GetRequiredService<Needle.Store.INeedleStore>();
            await store.HeartbeatNodeAsync("node-c", await store.GetRevisionAsync(), "hello=1+2", "test-instance");
            var c = page.Locator("[data-testid=node][data-node=node-c]");
            await Assertions.Expect(c.GetByTestId("node-state")).ToHaveTextAsync("gone", Patient);
            await Assertions.Expect(c).ToHaveClassAsync(new Regex("gone"));
            await Assertions.Expect(c.GetByTestId("node-serves")).ToHaveTextAsync("v1 + canary v2");
            await Assertions.Expect(self.GetByTestId("node-state")).ToHaveTextAsync("live");
            await Assertions.Expect(page.GetByTestId("converged")).ToContainTextAsync("Every live node serves");
        }
        finally
        {
            if (!stopped)
            {
                await other.DisposeAsync();
            }
        }
    }

    private static void Heartbeats(NeedleOptions o)
    {
        o.PollInterval = TimeSpan.FromMilliseconds(200);
        o.NodeHeartbeatInterval = TimeSpan.FromMilliseconds(200);
        o.NodeGoneAfter = TimeSpan.FromSeconds(3);
    }
}
