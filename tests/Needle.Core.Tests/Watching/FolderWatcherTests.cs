using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Tests.Infrastructure;
using Needle.Watching;

namespace Needle.Tests.Watching;

[TestClass]
public sealed class FolderWatcherTests
{
    [TestMethod]
    public async Task Watch_FilesPresentAtStart_AreDeployedWithTheirManifests()
    {
        var folder = NewFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "greet.js"), "export default (req) => ({ hi: req.params.who });");
        await File.WriteAllTextAsync(Path.Combine(folder, "greet.json"), "{ \"route\": \"/greet/{who}\", \"methods\": [\"GET\"] }");
        await using var host = await TestHost.StartAsync(o => o.WatchDebounce = TimeSpan.FromMilliseconds(50), needle => needle.WatchDirectory(folder));

        var result = await WaitForAsync(host, "/fn/greet/ada", r => r.Status == 200);

        StringAssert.Contains(result.Body, "ada");
        Assert.AreEqual("greet@1", result.Version);
    }

    [TestMethod]
    public async Task Watch_FileChanged_DeploysTheNewVersion()
    {
        var folder = NewFolder();
        var file = Path.Combine(folder, "clock.js");
        await File.WriteAllTextAsync(file, "export default () => 'one';");
        await using var host = await TestHost.StartAsync(o => o.WatchDebounce = TimeSpan.FromMilliseconds(50), needle => needle.WatchDirectory(folder));
        await WaitForAsync(host, "/fn/clock", r => r.Body == "one");

        await File.WriteAllTextAsync(file, "export default () => 'two';");
        var result = await WaitForAsync(host, "/fn/clock", r => r.Body == "two");

        Assert.AreEqual("clock@2", result.Version);
    }

    [TestMethod]
    public async Task Watch_BrokenFile_KeepsTheLastGoodVersionAndAuditsTheFailure()
    {
        var folder = NewFolder();
        var file = Path.Combine(folder, "fragile.js");
        await File.WriteAllTextAsync(file, "export default () => 'good';");
        await using var host = await TestHost.StartAsync(o => o.WatchDebounce = TimeSpan.FromMilliseconds(50), needle => needle.WatchDirectory(folder));
        await WaitForAsync(host, "/fn/fragile", r => r.Body == "good");

        await File.WriteAllTextAsync(file, "export default () => { 'bad' ");
        var failure = await WaitForAuditAsync(host, "fragile", "deploy-failed");
        var result = await host.GetAsync("/fn/fragile");

        Assert.AreEqual("good", result.Body);
        Assert.AreEqual("fragile@1", result.Version);
        Assert.IsFalse(string.IsNullOrEmpty(failure["detail"]!.GetValue<string>()));
    }

    [TestMethod]
    public async Task Watch_CSharpFile_IsDeployedAsCSharpAndRedeployedOnChange()
    {
        var folder = NewFolder();
        var file = Path.Combine(folder, "sharp.cs");
        await File.WriteAllTextAsync(file, CSharpSource("one"));
        await File.WriteAllTextAsync(Path.Combine(folder, "sharp.json"), "{ \"route\": \"/sharp\", \"methods\": [\"GET\"] }");
        await using var host = await TestHost.StartAsync(o => o.WatchDebounce = TimeSpan.FromMilliseconds(50), needle => needle.WatchDirectory(folder));
        await WaitForAsync(host, "/fn/sharp", r => r.Body == "one");

        await File.WriteAllTextAsync(file, CSharpSource("two"));
        var result = await WaitForAsync(host, "/fn/sharp", r => r.Body == "two");

        Assert.AreEqual("sharp@2", result.Version);
        var version = await host.Client.GetFromJsonAsync<JsonObject>("/needle/api/functions/sharp/versions/2");
        Assert.AreEqual("csharp", version!["manifest"]!["runtime"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Watch_CSharpFileWithAWarning_IsDeployedAndTheWarningLogged()
    {
        var folder = NewFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "careless.cs"), """
            public sealed class H : INeedleFunction
            {
                public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c)
                {
                    var x = 1;
                    return Task.FromResult<object?>("ok");
                }
            }
            """);
        var logs = new LogCapture();
        await using var host = await TestHost.StartAsync(needle: n => n.WatchDirectory(folder).Services.AddSingleton<ILoggerProvider>(logs));

        var result = await WaitForAsync(host, "/fn/careless", r => r.Status == 200);

        Assert.AreEqual("careless@1", result.Version);
        var warning = logs.Entries.Single(e => e.Category == typeof(FolderWatcher).FullName && e.Level == LogLevel.Warning);
        StringAssert.StartsWith(warning.Message, "careless.cs(5,13): warning CS0219: The variable 'x'");
    }

    [TestMethod]
    public async Task Watch_JavaScriptAndCSharpFileOfOneName_DeploysNeitherAndAuditsWhy()
    {
        var folder = NewFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "twice.js"), "export default () => 'js';");
        await File.WriteAllTextAsync(Path.Combine(folder, "twice.cs"), CSharpSource("cs"));
        await using var host = await TestHost.StartAsync(needle: n => n.WatchDirectory(folder));

        var failure = await WaitForAuditAsync(host, "twice", "deploy-failed");

        StringAssert.Contains(failure["detail"]!.GetValue<string>(), "twice.js and twice.cs");
        Assert.AreEqual(404, (await host.GetAsync("/fn/twice")).Status);
    }

    [TestMethod]
    public async Task Watch_Restart_KeepsAVersionDeployedThroughTheApiButDeploysFilesChangedMeanwhile()
    {
        var folder = NewFolder();
        using var store = TemporaryDirectory.Create("needle-watch");
        await File.WriteAllTextAsync(Path.Combine(folder, "kept.js"), "export default () => 'file';");
        await File.WriteAllTextAsync(Path.Combine(folder, "edited.js"), "export default () => 'before';");
        await using (var first = await TestHost.StartAsync(needle: n => n.WatchDirectory(folder), directory: store.Path))
        {
            await first.DeployAsync("kept", "export default () => 'api';");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "edited.js"), "export default () => 'after';");
        await using var second = await TestHost.StartAsync(needle: n => n.WatchDirectory(folder), directory: store.Path);
        var kept = await second.GetAsync("/fn/kept");
        var edited = await second.GetAsync("/fn/edited");

        Assert.AreEqual("api", kept.Body);
        Assert.AreEqual("kept@2", kept.Version);
        Assert.AreEqual("after", edited.Body);
        Assert.AreEqual("edited@2", edited.Version);
    }

    [TestMethod]
    public async Task Watch_TestsFileBesideTheSource_GatesEveryChangeAndLogsFailingCasesByName()
    {
        var folder = NewFolder();
        var file = Path.Combine(folder, "shout.js");
        await File.WriteAllTextAsync(file, "export default (req) => req.query.say.toUpperCase();");
        await File.WriteAllTextAsync(Path.Combine(folder, "shout.tests.json"), """
            [ { "name": "shouts", "request": { "query": { "say": "hi" } }, "expect": { "status": 200, "body": "HI" } } ]
            """);
        var logs = new LogCapture();
        await using var host = await TestHost.StartAsync(o => o.WatchDebounce = TimeSpan.FromMilliseconds(50), needle => needle.WatchDirectory(folder).Services.AddSingleton<ILoggerProvider>(logs));
        await WaitForAsync(host, "/fn/shout?say=a", r => r.Body == "A");

        await File.WriteAllTextAsync(file, "export default (req) => req.query.say;");
        var failed = await WaitForAuditAsync(host, "shout", "deploy-failed");
        var served = await host.GetAsync("/fn/shout?say=a");

        StringAssert.Contains(failed["detail"]!.GetValue<string>(), "'shouts'");
        Assert.AreEqual("shout@1", served.Version);
        Assert.AreEqual("A", served.Body);
        var line = logs.Entries.Single(e => e.EventId.Id == Needle.Telemetry.NeedleEventIds.WatcherTestCaseFailed);
        StringAssert.Contains(line.Message, "Test case 'shouts' of shout@2 failed: body: expected \"HI\", got \"hi\"");
    }

    [TestMethod]
    public async Task Watch_TestsInBothTheManifestAndTheTestsFile_IsRefused()
    {
        var folder = NewFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "twice.js"), "export default () => 1;");
        await File.WriteAllTextAsync(Path.Combine(folder, "twice.json"), """{ "tests": [ { "name": "a", "expect": { "status": 200 } } ] }""");
        await File.WriteAllTextAsync(Path.Combine(folder, "twice.tests.json"), """[ { "name": "b", "expect": { "status": 200 } } ]""");
        await using var host = await TestHost.StartAsync(needle: n => n.WatchDirectory(folder));

        var failed = await WaitForAuditAsync(host, "twice", "deploy-failed");

        StringAssert.Contains(failed["detail"]!.GetValue<string>(), "twice.json has tests and twice.tests.json exists too");
    }

    private static string CSharpSource(string text) =>
        "public sealed class H : INeedleFunction { public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) => Task.FromResult<object?>(\"" + text + "\"); }";

    // Watched folders outlive the test on purpose: the watcher may still hold them while the host stops.
    private static string NewFolder() => TemporaryDirectory.Create("needle-watch").Path;

    private static Task<(int Status, string Body, string? Version)> WaitForAsync(TestHost host, string path, Func<(int Status, string Body, string? Version), bool> done) =>
        Eventually.ValueAsync(() => host.GetAsync(path), done, $"{path} to get there");

    private static async Task<JsonNode> WaitForAuditAsync(TestHost host, string function, string action) =>
        (await Eventually.ValueAsync(
            async () => (await host.Client.GetFromJsonAsync<JsonArray>($"/needle/api/audit?function={function}"))!.FirstOrDefault(e => e!["action"]!.GetValue<string>() == action),
            found => found is not null,
            $"a {action} event for {function}"))!;
}
