using System.Net.Http.Json;
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
        await Assertions.Expect(page.GetByTestId("converged")).ToContainTextAsync("Every live node serves");
        Assert.AreEqual("hello@1", await host.ServedByAsync("/fn/hello"));
        await Assertions.Expect(page.Locator("section.audit")).ToContainTextAsync("errors up after v2");
    }

    [TestMethod]
    public async Task FunctionPage_VersionLetThroughWithoutItsCases_ShowsTheBadgeAndTheAuditLine()
    {
        await using var host = await ConsoleHost.StartAsync();
        var manifest = new { route = "/guarded", methods = new[] { "GET" }, tests = new[] { new { name = "says hi", expect = new { body = new { message = "hi" } } } } };
        await host.DeployAsync("guarded", "export default () => ({ message: 'hi' })", manifest);
        using var skipped = await host.Client.PostAsJsonAsync("/needle/api/functions/guarded/versions", new { source = "export default () => ({ message: 'ho' })", manifest, reason = "INC-5 ship now", skipTests = true });
        Assert.AreEqual(System.Net.HttpStatusCode.Created, skipped.StatusCode, await skipped.Content.ReadAsStringAsync());
        var page = await Infrastructure.Browser.NewPageAsync();

        await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/guarded").ToString());

        await Assertions.Expect(page.GetByTestId("stable")).ToContainTextAsync("v2");
        await Assertions.Expect(page.GetByTestId("stable").GetByTestId("tests-skipped-badge")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("section.versions").GetByTestId("tests-skipped-badge")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("audit-tests-skipped")).ToContainTextAsync("INC-5 ship now");
        await Assertions.Expect(page.GetByTestId("audit-tests-skipped")).ToContainTextAsync("route=deploy; 1 test cases not run");
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

    [TestMethod]
    public async Task EmergencyPatch_EditedInTheConsole_ServesThePatchedVersion()
    {
        await using var host = await ConsoleHost.StartAsync();
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/hello").ToString());
        await page.GetByTestId("action-patch").ClickAsync();
        var source = await page.GetByTestId("patch-source").InputValueAsync();
        var baseHash = (await host.GetJsonAsync("/needle/api/functions/hello/versions/1"))["contentHash"]!.GetValue<string>();
        await Assertions.Expect(page.GetByTestId("patch-base")).ToHaveValueAsync(baseHash);

        await page.GetByTestId("patch-source").FillAsync(source.Replace("Hello, ", "Patched, ", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByTestId("patch-diff")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\\+.*Patched, "));
        await page.GetByTestId("patch-reason").FillAsync("typo in greeting");
        await page.GetByTestId("patch-ok").ClickAsync();

        await Assertions.Expect(page.GetByTestId("stable")).ToHaveTextAsync("v2");
        Assert.AreEqual("hello@2", await host.ServedByAsync("/fn/hello"));
        StringAssert.Contains(await host.Client.GetStringAsync("/fn/hello?name=Ada"), "Patched, Ada!");
    }

    [TestMethod]
    public async Task KillSwitch_FromTheConsole_AnswersTheFallbackUntilLifted()
    {
        await using var host = await ConsoleHost.StartAsync();
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/hello").ToString());

        await page.GetByTestId("action-kill").ClickAsync();
        await page.GetByTestId("confirm-reason").FillAsync("downstream on fire");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("action-revive")).ToBeVisibleAsync();
        using (var killed = await host.Client.GetAsync("/fn/hello"))
        {
            Assert.AreEqual(System.Net.HttpStatusCode.ServiceUnavailable, killed.StatusCode);
        }

        await page.GetByTestId("action-revive").ClickAsync();
        await page.GetByTestId("confirm-reason").FillAsync("downstream back");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("action-kill")).ToBeVisibleAsync();
        Assert.AreEqual("hello@1", await host.ServedByAsync("/fn/hello"));
    }

    [TestMethod]
    public async Task CanaryWeight_ChangedInTheConsole_IsTheRelease()
    {
        await using var host = await ConsoleHost.StartAsync();
        await host.DeployAsync("hello", "export default () => ({ message: 'v2' })", new { route = "/hello", methods = new[] { "GET" } }, canary: new { weight = 5 });
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/fn/hello").ToString());

        await page.GetByTestId("action-weight").ClickAsync();
        await page.GetByTestId("confirm-weight").FillAsync("100");
        await page.GetByTestId("confirm-reason").FillAsync("all in");
        await page.GetByTestId("confirm-ok").ClickAsync();

        await Assertions.Expect(page.GetByTestId("canary")).ToContainTextAsync("v2 at 100 %");
        Assert.AreEqual("hello@2", await host.ServedByAsync("/fn/hello"));

        await page.GetByTestId("action-promote").ClickAsync();
        await page.GetByTestId("confirm-reason").FillAsync("healthy");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("stable")).ToHaveTextAsync("v2");
        await Assertions.Expect(page.GetByTestId("canary")).ToHaveTextAsync("none");
    }
}
