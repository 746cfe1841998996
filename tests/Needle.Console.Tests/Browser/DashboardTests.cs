using Microsoft.Playwright;
using Needle.Console.Tests.Infrastructure;

namespace Needle.Console.Tests.Browser;

[TestClass]
public sealed class DashboardTests
{
    [TestMethod]
    public async Task Dashboard_SampleFunctionsWithTraffic_ListsThemWithLiveNumbers()
    {
        var health = new StandInHealth();
        await using var host = await ConsoleHost.StartAsync(map: (app, api, _) => health.Map(app, api));
        var page = await Infrastructure.Browser.NewPageAsync();
        for (var i = 0; i < 20; i++)
        {
            await host.ServedByAsync("/fn/hello?name=x");
        }

        await page.GotoAsync(new Uri(host.Address, "/needle").ToString());

        var rows = page.Locator("[data-testid=functions] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(ConsoleHost.SampleFunctionCount);
        foreach (var name in new[] { "hello", "aggregator", "transformer", "greeter" })
        {
            await Assertions.Expect(page.Locator($"tr[data-function={name}]")).ToContainTextAsync("v1");
        }

        var hello = page.Locator("tr[data-function=hello]");
        await Assertions.Expect(hello).ToContainTextAsync("0.33/s");
        // Judged against the thresholds (no errors; a cold first call may put p99 in amber on a busy machine).
        await Assertions.Expect(hello).ToHaveAttributeAsync("data-rag", new System.Text.RegularExpressions.Regex("^(green|amber)$"));
        await Assertions.Expect(page.Locator("[data-testid=no-health]")).ToBeHiddenAsync();

        // More traffic shows up without a reload (the feed polls every 2 s).
        for (var i = 0; i < 40; i++)
        {
            await host.ServedByAsync("/fn/hello?name=y");
        }

        await Assertions.Expect(hello).ToContainTextAsync("/s", new() { Timeout = 5000 });
        await Assertions.Expect(hello).ToContainTextAsync("1/s", new() { Timeout = 5000 });
    }

    [TestMethod]
    public async Task Dashboard_WithoutObservability_SaysSoAndStillListsFunctions()
    {
        await using var host = await ConsoleHost.StartAsync();
        var page = await Infrastructure.Browser.NewPageAsync();

        await page.GotoAsync(new Uri(host.Address, "/needle").ToString());

        await Assertions.Expect(page.Locator("[data-testid=functions] tbody tr")).ToHaveCountAsync(ConsoleHost.SampleFunctionCount);
        await Assertions.Expect(page.Locator("[data-testid=no-health]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=no-health]")).ToContainTextAsync("AddObservability()");
    }
}
