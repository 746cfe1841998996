using Microsoft.Playwright;
using Needle.Console.Tests.Infrastructure;

namespace Needle.Console.Tests.Browser;

[TestClass]
public sealed class FunctionPageTests
{
    [TestMethod]
    public async Task Rollback_FromConsole_PreviousVersionServes()
    {
        await using var host = await ConsoleHost.StartAsync();
        await host.DeployAsync("hello", "export default () => ({ message: 'v2' })", new { route = "/hello", methods = new[] { "GET" } });
        Assert.AreEqual("hello@2", await host.ServedByAsync("/fn/hello"));
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/hello").ToString());
        await Assertions.Expect(page.GetByTestId("stable")).ToHaveTextAsync("v2");

        await page.GetByTestId("action-rollback").ClickAsync();
        await page.GetByTestId("confirm-reason").FillAsync("errors up after v2");
        await page.GetByTestId("confirm-ok").ClickAsync();

        await Assertions.Expect(page.GetByTestId("stable")).ToHaveTextAsync("v1");
        await Assertions.Expect(page.GetByTestId("converged")).ToContainTextAsync("Every node serves");
        Assert.AreEqual("hello@1", await host.ServedByAsync("/fn/hello"));
        await Assertions.Expect(page.Locator("section.audit")).ToContainTextAsync("errors up after v2");
    }

    [TestMethod]
    public async Task Diff_TwoVersions_ShowsChangedLines()
    {
        await using var host = await ConsoleHost.StartAsync();
        await host.DeployAsync("hello", "export default () => ({ message: 'second' })\n", new { route = "/hello", methods = new[] { "GET" } });
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/hello").ToString());

        await page.GetByTestId("show-diff").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=diff] .add")).ToContainTextAsync(["+ export default () => ({ message: 'second' })"]);
        await Assertions.Expect(page.Locator("[data-testid=diff] .del").First).ToBeVisibleAsync();
    }
}
