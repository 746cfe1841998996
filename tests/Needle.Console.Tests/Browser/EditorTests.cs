using Microsoft.Playwright;
using Needle.Console.Tests.Infrastructure;

namespace Needle.Console.Tests.Browser;

[TestClass]
public sealed class EditorTests
{
    [TestMethod]
    public async Task Editor_WriteRunAsDraftThenDeployAsCanary_ServesItsShare()
    {
        await using var host = await ConsoleHost.StartAsync();
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/edit/hello/1").ToString());
        var editor = page.Locator(".cm-content");
        await Assertions.Expect(editor).ToContainTextAsync("Hello");

        await CodeEditor.ReplaceAsync(page, "export default async function (req, ctx) {\n  ctx.log.info(\"drafted\");\n  return { message: \"from the editor\" };\n}\n");
        await page.GetByTestId("run-draft").ClickAsync();

        await Assertions.Expect(page.GetByTestId("run-status")).ToHaveTextAsync("200");
        await Assertions.Expect(page.GetByTestId("run-body")).ToContainTextAsync("from the editor");
        await Assertions.Expect(page.GetByTestId("run-logs")).ToContainTextAsync("drafted");
        Assert.AreEqual("hello@1", await host.ServedByAsync("/fn/hello"), "A draft takes no traffic.");

        await page.GetByTestId("canary-weight").FillAsync("50");
        await page.GetByTestId("deploy-canary").ClickAsync();
        await page.GetByTestId("confirm-reason").FillAsync("try the editor's version");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("canary")).ToContainTextAsync("v2 at 50 %");

        var canary = 0;
        for (var i = 0; i < 200; i++)
        {
            if (await host.ServedByAsync("/fn/hello") == "hello@2")
            {
                canary++;
            }
        }

        Assert.IsTrue(canary is > 60 and < 140, $"The canary at 50 % served {canary} of 200 requests.");
    }

    [TestMethod]
    public async Task Editor_DraftFailingItsCases_ShowsEachCaseInlineAndStoresNothingUntilFixed()
    {
        await using var host = await ConsoleHost.StartAsync();
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/edit").ToString());
        await page.GetByTestId("editor-name").FillAsync("cased");
        await page.Locator("details summary").ClickAsync();
        await page.GetByTestId("editor-manifest").FillAsync("{\"route\": \"/cased\", \"methods\": [\"GET\"]}");
        await page.GetByTestId("editor-tests").FillAsync("[{\"name\": \"says hi\", \"expect\": {\"status\": 200, \"body\": {\"message\": \"hi\"}}}]");

        await CodeEditor.ReplaceAsync(page, "export default async function (req, ctx) {\n  ctx.log.info(\"answering\");\n  return { message: \"ho\" };\n}\n");
        await page.GetByTestId("run-draft").ClickAsync();

        await Assertions.Expect(page.GetByTestId("test-summary")).ToContainTextAsync("Refused");
        await Assertions.Expect(page.GetByTestId("test-case")).ToContainTextAsync("✗ says hi");
        await Assertions.Expect(page.GetByTestId("test-case")).ToContainTextAsync("body: expected {\"message\":\"hi\"}, got {\"message\":\"ho\"}");
        await Assertions.Expect(page.GetByTestId("test-case")).ToContainTextAsync("info answering");
        using var absent = await host.Client.GetAsync("/needle/api/functions/cased");
        Assert.AreEqual(System.Net.HttpStatusCode.NotFound, absent.StatusCode, "A draft failing its cases is not stored.");

        await CodeEditor.ReplaceAsync(page, "export default async function (req, ctx) {\n  return { message: \"hi\" };\n}\n");
        await page.GetByTestId("run-draft").ClickAsync();

        await Assertions.Expect(page.GetByTestId("test-summary")).ToContainTextAsync("1 of 1 cases passed on v1");
        await Assertions.Expect(page.GetByTestId("test-case")).ToContainTextAsync("✓ says hi");
        await Assertions.Expect(page.GetByTestId("run-status")).ToHaveTextAsync("200");
    }

    [TestMethod]
    public async Task Editor_DeployRefusedByItsCases_OffersTheSkipWithARequiredReasonThenDeploysWithIt()
    {
        await using var host = await ConsoleHost.StartAsync();
        await host.DeployAsync("guarded", "export default () => ({ message: 'hi' })", new { route = "/guarded", methods = new[] { "GET" }, tests = new[] { new { name = "says hi", expect = new { body = new { message = "hi" } } } } });
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/edit/guarded/1").ToString());
        // The page loads the function and its version first; the machine may be loaded.
        await Assertions.Expect(page.Locator(".cm-content")).ToContainTextAsync("message: 'hi'", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("editor-tests")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("says hi"));
        await CodeEditor.ReplaceAsync(page, "export default () => ({ message: 'degraded' })\n");

        await page.GetByTestId("deploy-canary").ClickAsync();
        await page.GetByTestId("confirm-reason").FillAsync("try it");
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("test-case")).ToContainTextAsync("✗ says hi");
        Assert.AreEqual("guarded@1", await host.ServedByAsync("/fn/guarded"), "The failing change was refused.");

        await page.GetByTestId("skip-and-deploy").ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        // Without a reason the dialog stays open and nothing deploys.
        await Assertions.Expect(page.Locator("dialog.confirm")).ToBeVisibleAsync();
        Assert.AreEqual("guarded@1", await host.ServedByAsync("/fn/guarded"), "The skip needs its reason.");
        await page.GetByTestId("confirm-reason").FillAsync("INC-12 degrade now");
        await page.GetByTestId("confirm-ok").ClickAsync();

        // Deployed as the canary it was asked for, and the function page it lands on shows the skip.
        await Assertions.Expect(page.GetByTestId("canary")).ToContainTextAsync("v2 at 10 %");
        await Assertions.Expect(page.GetByTestId("canary").GetByTestId("tests-skipped-badge")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("audit-tests-skipped")).ToContainTextAsync("INC-12 degrade now");
        await Assertions.Expect(page.GetByTestId("audit-tests-skipped")).ToContainTextAsync("route=deploy");
        var audit = await host.Client.GetStringAsync("/needle/api/audit?function=guarded");
        StringAssert.Contains(audit, "\"tests-skipped\"");
        StringAssert.Contains(audit, "INC-12 degrade now");
    }

    [TestMethod]
    public async Task Editor_SyntaxError_ShowsTheDiagnosticInline()
    {
        await using var host = await ConsoleHost.StartAsync();
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/edit").ToString());
        await page.GetByTestId("editor-name").FillAsync("broken");
        await page.Locator("details summary").ClickAsync();
        await page.GetByTestId("editor-manifest").FillAsync("{\"route\": \"/broken\", \"methods\": [\"GET\"]}");

        await CodeEditor.ReplaceAsync(page, "export default async function (req, ctx) {\n  return { a: ;\n}\n");
        await page.GetByTestId("run-draft").ClickAsync();

        await Assertions.Expect(page.GetByTestId("diagnostics").Locator("li")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("diagnostics")).ToContainTextAsync("2:");
        await Assertions.Expect(page.Locator(".cm-lintRange-error")).Not.ToHaveCountAsync(0);
    }

    [TestMethod]
    public async Task Editor_CSharpFunction_ShowsCompileErrorThenRunsAsDraft()
    {
        await using var host = await ConsoleHost.StartAsync();
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/edit").ToString());
        await page.GetByTestId("editor-name").FillAsync("cs-hi");
        await page.GetByTestId("editor-runtime").SelectOptionAsync("csharp");
        await Assertions.Expect(page.Locator(".cm-content")).ToContainTextAsync("INeedleFunction");
        await page.Locator("details summary").ClickAsync();
        await page.GetByTestId("editor-manifest").FillAsync("{\"route\": \"/cs-hi\", \"methods\": [\"GET\"]}");
        var good = await page.Locator(".cm-content").InnerTextAsync();

        await CodeEditor.ReplaceAsync(page, good.Replace("\"Hello from C#\"", "undefinedName", StringComparison.Ordinal));
        await page.GetByTestId("run-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("diagnostics")).ToContainTextAsync("undefinedName");
        await Assertions.Expect(page.Locator(".cm-lintRange-error")).Not.ToHaveCountAsync(0);

        await CodeEditor.ReplaceAsync(page, good);
        await page.GetByTestId("run-draft").ClickAsync();
        await Assertions.Expect(page.GetByTestId("run-status")).ToHaveTextAsync("200");
        await Assertions.Expect(page.GetByTestId("run-body")).ToContainTextAsync("Hello from C#");
        await Assertions.Expect(page.GetByTestId("run-logs")).ToContainTextAsync("called");
    }

    [TestMethod]
    public async Task Editor_CSharpFunctionWithAWarning_RunsAndShowsTheWarningInline()
    {
        await using var host = await ConsoleHost.StartAsync();
        var page = await Infrastructure.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.Address, "/needle/#/edit").ToString());
        await page.GetByTestId("editor-name").FillAsync("cs-careless");
        await page.GetByTestId("editor-runtime").SelectOptionAsync("csharp");
        await Assertions.Expect(page.Locator(".cm-content")).ToContainTextAsync("INeedleFunction");
        await page.Locator("details summary").ClickAsync();
        await page.GetByTestId("editor-manifest").FillAsync("{\"route\": \"/cs-careless\", \"methods\": [\"GET\"]}");
        var good = await page.Locator(".cm-content").InnerTextAsync();

        await CodeEditor.ReplaceAsync(page, good.Replace("context.Log.Info(\"called\");", "var unused = 1; context.Log.Info(\"called\");", StringComparison.Ordinal));
        await page.GetByTestId("run-draft").ClickAsync();

        await Assertions.Expect(page.GetByTestId("run-status")).ToHaveTextAsync("200");
        await Assertions.Expect(page.GetByTestId("diagnostics").Locator("li.warning")).ToContainTextAsync("CS0219");
        await Assertions.Expect(page.Locator(".cm-lintRange-warning")).Not.ToHaveCountAsync(0);
    }
}
