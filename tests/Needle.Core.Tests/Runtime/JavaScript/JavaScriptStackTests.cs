using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.JavaScript;

/// <summary>
/// Built-ins and host conversions that recurse on the host's stack, driven by a deeply nested value. Before the stack
/// guard each of these ended the whole host process with a .NET stack overflow; now each is a 500 naming the recursion
/// limit, and the host serves on. They run against the sample host in a child process, so a regression kills the
/// child (and fails here) instead of the test run.
/// </summary>
[TestClass]
public sealed class JavaScriptStackTests : ClassHostTests<JavaScriptStackTests, ChildHost>, IClassHost<ChildHost>
{
    private const string DeepObject = "let o = {}; const deep = o; for (let i = 0; i < 200000; i++) { o.c = {}; o = o.c; }";
    private const string DeepArray = "let a = [1]; const deep = a; for (let i = 0; i < 50000; i++) { const n = [1]; a.push(n); a = n; }";

    public static async Task<ChildHost> StartClassHostAsync()
    {
        var host = await ChildHost.StartAsync();
        await host.DeployAsync("healthy", "export default () => ({ ok: true });");
        return host;
    }

    [TestMethod]
    [DataRow("stringify", DeepObject + " return JSON.stringify(deep).length;", DisplayName = "JSON.stringify of a 200,000-deep object (the issue's function)")]
    [DataRow("stringify-array", DeepArray + " return JSON.stringify(deep).length;", DisplayName = "JSON.stringify of a deep array")]
    [DataRow("join", DeepArray + " return deep.join().length;", DisplayName = "Array.prototype.join")]
    [DataRow("to-string", DeepArray + " return String(deep).length;", DisplayName = "String() of a deep array")]
    [DataRow("concat", DeepArray + " return ('' + deep).length;", DisplayName = "string concatenation of a deep array")]
    [DataRow("locale", DeepArray + " return deep.toLocaleString().length;", DisplayName = "Array.prototype.toLocaleString")]
    [DataRow("flat", DeepArray + " return deep.flat(Infinity).length;", DisplayName = "Array.prototype.flat(Infinity)")]
    [DataRow("proxy", "let p = {}; for (let i = 0; i < 200000; i++) { p = new Proxy(p, {}); } return p.x ?? 1;", DisplayName = "a chain of trapless Proxies")]
    [DataRow("proxy-trap", "let p = {}; for (let i = 0; i < 20000; i++) { const t = p; p = new Proxy(t, { get(o, k) { return t[k]; } }); } return p.x ?? 1;", DisplayName = "a chain of Proxy get traps")]
    [DataRow("value-of", "let o = 1; for (let i = 0; i < 20000; i++) { const prev = o; o = { valueOf() { return +prev; } }; } return +o;", DisplayName = "a chain of valueOf coercions")]
    [DataRow("template", "let s = 'x'; for (let i = 0; i < 20000; i++) { s = { toString: ((p) => () => `${p}`)(s) }; } return `${s}`;", DisplayName = "a chain of toString coercions in templates")]
    [DataRow("instanceof", "let f = function () {}; for (let i = 0; i < 20000; i++) { const g = f; f = { [Symbol.hasInstance](v) { return v instanceof g; } }; } return ({}) instanceof f;", DisplayName = "a chain of Symbol.hasInstance")]
    [DataRow("generator", "function* g(n) { if (n > 0) { yield* g(n - 1); } yield n; } return [...g(200000)].length;", DisplayName = "nested yield*")]
    public async Task Invoke_DeeplyNestedValue_Returns500NamingTheRecursionLimitAndHostServes(string name, string body)
    {
        await Host.DeployAsync(name, $"export default async () => {{ {body} }};", new { limits = new { memoryMb = 256, timeoutMs = 30_000 } });

        var deep = await Host.GetAsync("/fn/" + name);
        var healthy = await Host.GetAsync("/fn/healthy");

        Assert.IsFalse(Host.HasExited, "the host process ended");
        Assert.AreEqual(500, deep.Status, deep.Text);
        Assert.AreEqual("recursion", deep.Body?["limit"]?.GetValue<string>(), deep.Text);
        Assert.AreEqual(200, healthy.Status, healthy.Text);
    }

    // The host writes a response body itself (JavaScriptJsonWriter, no recursion): too deep a body is an invalid
    // response naming the nesting limit, not a stack overflow.
    [TestMethod]
    [DataRow("response", DeepObject + " return deep;", DisplayName = "returning a deep object (the host serialises it)")]
    [DataRow("response-body", DeepArray + " return { status: 200, body: deep };", DisplayName = "a deep response body")]
    public async Task Invoke_DeepResponse_Returns500NamingTheNestingLimitAndHostServes(string name, string body)
    {
        await Host.DeployAsync(name, $"export default async () => {{ {body} }};", new { limits = new { memoryMb = 256, timeoutMs = 30_000 } });

        var deep = await Host.GetAsync("/fn/" + name);
        var healthy = await Host.GetAsync("/fn/healthy");

        Assert.IsFalse(Host.HasExited, "the host process ended");
        Assert.AreEqual(500, deep.Status, deep.Text);
        StringAssert.Contains(deep.Text, "nests deeper than 256 levels");
        Assert.AreEqual(200, healthy.Status, healthy.Text);
    }

    [TestMethod]
    public async Task Invoke_DeepValueCaughtByTheFunction_IsAnOrdinaryRangeError()
    {
        await Host.DeployAsync("caught", $"export default async () => {{ {DeepObject} try {{ JSON.stringify(deep); return 'no'; }} catch (e) {{ return e instanceof RangeError ? 'caught' : String(e); }} }};", new { limits = new { memoryMb = 256, timeoutMs = 30_000 } });

        var caught = await Host.GetAsync("/fn/caught");
        var again = await Host.GetAsync("/fn/caught");

        Assert.AreEqual(200, caught.Status, caught.Text);
        Assert.AreEqual("caught", caught.Text);
        Assert.AreEqual("caught", again.Text);
    }

    [TestMethod]
    public async Task Invoke_LogOfDeepValue_IsLoggedWithoutItAndTheCallAnswers()
    {
        await Host.DeployAsync("log-deep", $"export default async (req, ctx) => {{ {DeepObject} ctx.log.info(deep); return 'logged'; }};", new { limits = new { memoryMb = 256, timeoutMs = 30_000 } });

        var logged = await Host.GetAsync("/fn/log-deep");
        var healthy = await Host.GetAsync("/fn/healthy");

        // The log writer stops at its nesting limit and writes the value's string form instead: the call goes on.
        Assert.IsFalse(Host.HasExited, "the host process ended");
        Assert.AreEqual(200, logged.Status, logged.Text);
        Assert.AreEqual("logged", logged.Text);
        Assert.AreEqual(200, healthy.Status, healthy.Text);
    }
}
