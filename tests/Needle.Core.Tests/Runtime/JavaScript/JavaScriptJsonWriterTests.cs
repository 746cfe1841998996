using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.JavaScript;

/// <summary>
/// The host's own JSON conversion of a function's body and log arguments: the same text as the engine's
/// JSON.stringify, and bounded where the function chooses a length.
/// </summary>
[TestClass]
public sealed class JavaScriptJsonWriterTests : ClassHostTests<JavaScriptJsonWriterTests, TestHost>, IClassHost<TestHost>
{
    public static async Task<TestHost> StartClassHostAsync()
    {
        var host = await TestHost.StartAsync();
        await host.DeployAsync("same", """
            const values = {
              nested: { a: [1, 'two', null, true, { b: [] }], c: {} },
              holes: [1, , 3, undefined, () => 1, Symbol('s')],
              skipped: { u: undefined, f() {}, s: Symbol('x'), kept: 0 },
              numbers: [NaN, Infinity, -Infinity, -0, 1e21, 1.5e-7, 0.1 + 0.2, 2 ** 53],
              boxed: [new Number(3), new String('s'), new Boolean(false), Object(1n) instanceof Object],
              strings: ['quote " back \\ slash', 'tab\tnl\ncr\r\b\f\u0001\u001f', '\ud800 lone', 'pair \ud83d\ude00', 'é ü 中', '</script>'],
              dates: new Date(0),
              toJson: { toJSON(key) { return 'key:' + key; } },
              inArray: [{ toJSON(key) { return 'index:' + key; } }],
              keys: { 2: 'b', 1: 'a', z: 'z', y: 'y' },
              map: new Map([[1, 2]]),
              hidden: Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false }),
              proto: Object.create({ inherited: 1 }),
              getter: { get g() { return 'got'; } },
            };
            export default (req) => req.query.engine ? JSON.stringify(values) : values;
            """);
        await host.DeployAsync("well", "export default () => 'fine';");
        return host;
    }

    [TestMethod]
    public async Task Body_ManyKindsOfValues_IsWhatJsonStringifyWrites()
    {
        var engine = await Host.GetAsync("/fn/same?engine=1");
        var host = await Host.GetAsync("/fn/same");

        Assert.AreEqual(200, host.Status, host.Body);
        Assert.AreEqual(engine.Body, host.Body);
    }

    [TestMethod]
    [DataRow("const a = []; a.length = 2 ** 32 - 1; return a;", DisplayName = "array of length 2**32 - 1")]
    [DataRow("const a = []; a.length = 2 ** 32 - 1; return { status: 200, body: { data: [a] } };", DisplayName = "nested in a response object")]
    [DataRow("return { get g() { const a = []; a.length = 2 ** 32 - 1; return a; } };", DisplayName = "made by a getter")]
    [DataRow("return { toJSON() { const a = []; a.length = 2 ** 32 - 1; return a; } };", DisplayName = "made by toJSON")]
    [DataRow("const a = []; a.length = 1e6; return [a, a, a, a, a, a, a, a, a, a];", DisplayName = "ten million holes over ten arrays")]
    [DoNotParallelize]
    public async Task Body_LengthTheFunctionChooses_Is500AtOnceNamingTheLimit(string body)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("huge", $"export default () => {{ {body} }};", new { limits = new { timeoutMs = 20_000, maxResponseKb = 1024 } });
        await host.DeployAsync("well", "export default () => 'fine';");

        var watch = Stopwatch.StartNew();
        var (status, text, _) = await host.GetAsync("/fn/huge");
        watch.Stop();
        var well = await host.GetAsync("/fn/well");

        Assert.AreEqual(500, status, text);
        StringAssert.Contains(JsonNode.Parse(text)!["detail"]!.GetValue<string>(), "maxResponseKb");
        // Well before the 20 s timeout (the machine is loaded, hence the room): the writer never walked the length.
        Assert.IsLessThan(10_000, watch.ElapsedMilliseconds, $"answered after {watch.ElapsedMilliseconds} ms");
        Assert.AreEqual((200, "fine"), (well.Status, well.Body));
    }

    [TestMethod]
    public async Task Body_DeeperThanTheLimit_IsAnInvalidResponseNotAHostStackOverflow()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("deep", "export default () => { let o = {}; const r = o; for (let i = 0; i < 100000; i++) { o.c = {}; o = o.c; } return r; };");

        var (status, text, _) = await host.GetAsync("/fn/deep");

        Assert.AreEqual(500, status, text);
        StringAssert.Contains(text, "nests deeper than 256 levels");
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Log_ArgumentWithAHugeLength_IsCutAndTheCallAnswers()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("logger", "export default (req, ctx) => { const a = []; a.length = 2 ** 32 - 1; ctx.log.info('big', a); return 'logged'; };", new { limits = new { timeoutMs = 20_000 } });

        var watch = Stopwatch.StartNew();
        var (status, text, _) = await host.GetAsync("/fn/logger");
        watch.Stop();

        Assert.AreEqual((200, "logged"), (status, text));
        Assert.IsLessThan(10_000, watch.ElapsedMilliseconds, $"answered after {watch.ElapsedMilliseconds} ms");
    }
}
