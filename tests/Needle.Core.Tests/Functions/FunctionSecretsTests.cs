using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Tests.Infrastructure;
using Needle.Tests.Runtime.CSharp;

namespace Needle.Tests.Functions;

/// <summary>
/// A manifest's secrets name configuration keys of the host; functions of both runtimes read the values, and no
/// answer of the control plane, audit entry or log line holds them.
/// </summary>
[TestClass]
public sealed class FunctionSecretsTests
{
    private const string Value = "sk-live-5f0c9e21";

    private static readonly Dictionary<string, string?> Configuration = new() { ["Payments:ApiKey"] = Value };

    private static Task<TestHost> StartHostAsync(LogCapture? logs = null) => TestHost.StartAsync(
        needle: logs is null ? null : n => n.Services.AddSingleton<ILoggerProvider>(logs),
        configuration: Configuration);

    [TestMethod]
    public async Task Invoke_JavaScriptWithASecret_SeesItsValueReadOnly()
    {
        await using var host = await StartHostAsync();
        await host.DeployAsync("pay", """
            export default (req, ctx) => {
              let changed;
              try { ctx.secrets.paymentKey = 'x'; changed = 'yes'; } catch (e) { changed = e.constructor.name; }
              return { key: ctx.secrets.paymentKey, names: Object.keys(ctx.secrets), frozen: Object.isFrozen(ctx.secrets), changed };
            };
            """, new { secrets = new { paymentKey = "Payments:ApiKey" } });

        var (status, body, _) = await host.GetAsync("/fn/pay");

        Assert.AreEqual(200, status, body);
        var json = JsonNode.Parse(body)!;
        Assert.AreEqual(Value, json["key"]!.GetValue<string>());
        Assert.AreEqual("[\"paymentKey\"]", json["names"]!.ToJsonString());
        Assert.IsTrue(json["frozen"]!.GetValue<bool>());
        Assert.AreEqual("TypeError", json["changed"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Invoke_CSharpWithASecret_SeesItsValue()
    {
        await using var host = await StartHostAsync();
        await host.DeployAsync("cs-pay", CSharpTestHost.Handler("""
            return new { key = context.Secrets["paymentKey"], count = context.Secrets.Count };
            """), new { runtime = "csharp", secrets = new { paymentKey = "Payments:ApiKey" } });

        var (status, body, _) = await host.GetAsync("/fn/cs-pay");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual(Value, JsonNode.Parse(body)!["key"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task Invoke_WithoutSecrets_SeesAnEmptyObject()
    {
        await using var host = await StartHostAsync();
        await host.DeployAsync("plain", "export default (req, ctx) => Object.keys(ctx.secrets).length;");

        var (status, body, _) = await host.GetAsync("/fn/plain");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual("0", body);
    }

    [TestMethod]
    public async Task Api_AfterDeployTestInvokeAndPatch_NeverShowsTheValue()
    {
        var logs = new LogCapture();
        await using var host = await StartHostAsync(logs);
        const string Source = "export default (req, ctx) => { ctx.log.warn('using ' + Object.keys(ctx.secrets)); return ctx.secrets.paymentKey.length; };\n";
        await host.DeployAsync("pay", Source, new { secrets = new { paymentKey = "Payments:ApiKey" } });
        var version = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/pay/versions/1");
        using var invoke = await host.Client.PostAsJsonAsync("/needle/api/functions/pay/versions/1/invoke", new { method = "GET", path = "/fn/pay" });
        using var patch = await host.Client.PostAsJsonAsync("/needle/api/functions/pay/patches", new { baseHash = version!["contentHash"]!.GetValue<string>(), config = new { mode = "x" }, reason = "config" });
        var served = await host.GetAsync("/fn/pay");

        var seen = new List<string>
        {
            version.ToJsonString(),
            await invoke.Content.ReadAsStringAsync(),
            await patch.Content.ReadAsStringAsync(),
            await host.Client.GetStringAsync("/needle/api/functions"),
            await host.Client.GetStringAsync("/needle/api/functions/pay"),
            await host.Client.GetStringAsync("/needle/api/functions/pay/versions/2"),
            await host.Client.GetStringAsync("/needle/api/audit"),
        };
        seen.AddRange(logs.Entries.Select(e => e.Message));

        Assert.AreEqual(HttpStatusCode.OK, invoke.StatusCode, await invoke.Content.ReadAsStringAsync());
        Assert.AreEqual(HttpStatusCode.Created, patch.StatusCode, await patch.Content.ReadAsStringAsync());
        Assert.AreEqual(Value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), served.Body, "the patched version still reads the secret");
        Assert.AreEqual("Payments:ApiKey", version["manifest"]!["secrets"]!["paymentKey"]!.GetValue<string>(), "the key is shown, the value is not");
        foreach (var text in seen)
        {
            Assert.IsFalse(text.Contains(Value, StringComparison.Ordinal), text);
        }

        var stored = Directory.GetFiles(host.Directory).Select(f => File.ReadAllBytes(f)).ToList();
        Assert.IsFalse(stored.Any(b => System.Text.Encoding.UTF8.GetString(b).Contains(Value, StringComparison.Ordinal)), "the store holds the value");
    }

    [TestMethod]
    [DataRow("{\"paymentKey\": \"Payments:Missing\"}", "manifest.secrets.paymentKey: the configuration key 'Payments:Missing' is not set on this host.", DisplayName = "unknown key")]
    [DataRow("{\"paymentKey\": \"\"}", "manifest.secrets.paymentKey: give the configuration key", DisplayName = "empty key")]
    [DataRow("{\"payment-key\": \"Payments:ApiKey\"}", "manifest.secrets: 'payment-key' is not a valid secret name", DisplayName = "bad name")]
    public async Task Deploy_SecretThatCannotBeResolved_Returns400NamingIt(string secrets, string expected)
    {
        await using var host = await StartHostAsync();
        var manifest = JsonNode.Parse($"{{\"secrets\": {secrets}}}");

        using var response = await host.TryDeployAsync("pay", "export default () => 1;", manifest);
        var text = await response.Content.ReadAsStringAsync();
        using var function = await host.Client.GetAsync("/needle/api/functions/pay");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, expected);
        Assert.AreEqual(HttpStatusCode.NotFound, function.StatusCode, "nothing was deployed");
    }
}
