using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Needle.Hosting;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.JavaScript;

/// <summary>
/// What a JavaScript function can hold or emit, through the real host: module state, single huge allocations, log
/// volume. Each case grew the host or flooded its log before; now each is bounded, and other functions serve.
/// </summary>
[TestClass]
public sealed class JavaScriptContainmentTests : ClassHostTests<JavaScriptContainmentTests, DownstreamServer>, IClassHost<DownstreamServer>
{
    private static DownstreamServer Downstream => Host;

    private const string Healthy = "export default () => ({ ok: true });";

    public static Task<DownstreamServer> StartClassHostAsync() => DownstreamServer.StartAsync();

    [TestMethod]
    [DoNotParallelize]
    public async Task Invoke_ModuleStateGrowingEveryCall_EngineIsRecycledAndHostMemoryStaysBounded()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("hoarder", "const kept = []; export default () => { kept.push('k'.repeat(4 * 1024 * 1024)); return kept.length; };");
        await host.DeployAsync("healthy", Healthy);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var lengths = new List<int>();
        for (var i = 0; i < 150; i++)
        {
            var (status, body, _) = await host.GetAsync("/fn/hoarder");
            Assert.AreEqual(200, status, body);
            lengths.Add(int.Parse(body, System.Globalization.CultureInfo.InvariantCulture));
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var healthy = await host.GetAsync("/fn/healthy");

        // 8 MB a call (UTF-16) kept in module state: 1.2 GB after 150 calls before; now the engine is recycled once it
        // holds more than the function's 64 MB, so its state starts over.
        Assert.IsLessThanOrEqualTo(9, lengths.Max(), "module state outlived the memory limit");
        Assert.IsTrue(lengths.Count(l => l == 1) >= 10, "the engine was never recycled");
        Assert.IsLessThan(300L << 20, after - before, $"the host grew by {(after - before) >> 20} MB");
        Assert.AreEqual(200, healthy.Status);
    }

    [TestMethod]
    public async Task Invoke_AfterMaxCallsPerEngine_EngineIsRecycled()
    {
        await using var host = await TestHost.StartAsync(o => o.JavaScript.MaxCallsPerEngine = 5);
        await host.DeployAsync("counter", "let calls = 0; export default () => ++calls;");

        var counts = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            counts.Add((await host.GetAsync("/fn/counter")).Body);
        }

        CollectionAssert.AreEqual(new[] { "1", "2", "3", "4", "5", "1", "2", "3", "4", "5", "1", "2" }, counts);
    }

    [TestMethod]
    public async Task Invoke_EnginesOverTheHostCeiling_Answers503NamingTheCeilingAndRecovers()
    {
        await using var host = await TestHost.StartAsync(
            o => o.JavaScript.MemoryCeilingMb = 64,
            needle => needle.AddDownstream("backend", Downstream.Address));
        // Each engine holds 24 MB of module state and keeps it while its call waits 4 s downstream.
        await host.DeployAsync(
            "holder",
            "const held = 'h'.repeat(12 * 1024 * 1024); export default async (req, ctx) => { await ctx.fetch('http://backend/slow?ms=4000'); return held.length; };",
            new { services = new[] { "backend" }, limits = new { memoryMb = 128, maxConcurrency = 8, timeoutMs = 20_000 } });
        using var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };

        // Staggered, so each new engine is counted before the next call asks for one.
        var calls = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 6; i++)
        {
            calls.Add(client.GetAsync("/fn/holder"));
            await Task.Delay(400);
        }

        var responses = await Task.WhenAll(calls);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        var problem = refused.Count > 0 ? await refused[0].Content.ReadAsStringAsync() : "";
        var later = await host.GetAsync("/fn/holder");

        Assert.IsTrue(responses.Count(r => r.StatusCode == HttpStatusCode.OK) >= 2, string.Join(",", responses.Select(r => (int)r.StatusCode)));
        Assert.AreNotEqual(0, refused.Count, "no call was refused at the ceiling");
        StringAssert.Contains(problem, "ceiling of 64 MB");
        StringAssert.Contains(problem, "MemoryCeilingMb");
        Assert.AreEqual(200, later.Status, later.Body);
    }

    [TestMethod]
    public async Task Invoke_ColdStartsAtTheHostCeilingWhileEnginesComeBackSoon_WaitForThemInsteadOfRefusing()
    {
        // The aggregator under wrk: every engine busy, the host's engines at the ceiling, and each call short. A call
        // that needs a new engine waits (up to QueueTimeout: 5 s here, for a loaded machine) for a busy one to come back
        // or be recycled. Before, it was refused at once, whatever the queue timeout.
        await using var host = await TestHost.StartAsync(
            o =>
            {
                o.JavaScript.MemoryCeilingMb = 64;
                o.QueueTimeout = TimeSpan.FromSeconds(5);
            },
            needle => needle.AddDownstream("backend", Downstream.Address));
        // Each engine holds 24 MB of module state: 64 MB hold two. Each call waits 100 ms downstream.
        await host.DeployAsync(
            "holder",
            "const held = 'h'.repeat(12 * 1024 * 1024); export default async (req, ctx) => { await ctx.fetch('http://backend/slow?ms=100'); return held.length; };",
            new { services = new[] { "backend" }, limits = new { memoryMb = 128, maxConcurrency = 8, timeoutMs = 20_000 } });
        using var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetAsync("/fn/holder")));
        var statuses = responses.Select(r => (int)r.StatusCode).ToList();

        CollectionAssert.AreEqual(new[] { 200, 200, 200, 200 }, statuses, "a cold start at the ceiling waited for an engine instead of a 503: " + string.Join(",", statuses));
    }

    [TestMethod]
    public async Task Invoke_AllocationsAcrossAwaits_CountAsOneBudget()
    {
        await using var host = await TestHost.StartAsync(needle: needle => needle.AddDownstream("backend", Downstream.Address));
        // 6 x 4 MB, one await between each: every part is under the 16 MB limit, the call is not.
        await host.DeployAsync(
            "stepper",
            "export default async (req, ctx) => { const parts = []; for (let i = 0; i < 6; i++) { parts.push('s'.repeat(2 * 1024 * 1024)); await ctx.fetch('http://backend/users/1'); } return parts.length; };",
            new { services = new[] { "backend" }, limits = new { memoryMb = 16 } });

        var (status, body, _) = await host.GetAsync("/fn/stepper");

        Assert.AreEqual(500, status, body);
        Assert.AreEqual("memory", JsonNode.Parse(body)!["limit"]!.GetValue<string>());
    }

    [TestMethod]
    [DataRow("new Uint8Array('1073741824')", DisplayName = "length as a string")]
    [DataRow("new Uint8Array({ length: 2 ** 30 })", DisplayName = "an object with a length")]
    [DataRow("new Uint8Array({ __proto__: ArrayBuffer.prototype, length: 2 ** 30 })", DisplayName = "an object posing as a buffer")]
    [DataRow("new Float64Array(new Uint8Array(2 ** 25))", DisplayName = "a typed array widened from another")]
    [DataRow("new (new Uint8Array(1).constructor)(2 ** 30)", DisplayName = "the constructor through an instance")]
    [DataRow("new (Object.getPrototypeOf(new Int32Array(1)).constructor)(2 ** 28)", DisplayName = "the constructor through the prototype")]
    [DataRow("Reflect.construct(new Uint8Array(1).constructor, [2 ** 30])", DisplayName = "Reflect.construct")]
    [DataRow("new (class extends new Uint8Array(1).constructor {})(2 ** 30)", DisplayName = "a subclass")]
    [DataRow("new Uint8Array(1).constructor.from({ length: 2 ** 30 })", DisplayName = "TypedArray.from")]
    [DataRow("Uint8Array.of.apply(Uint8Array, { length: 2 ** 30 })", DisplayName = "TypedArray.of with a huge argument list")]
    [DataRow("new ArrayBuffer(8).transfer(2 ** 30)", DisplayName = "ArrayBuffer.prototype.transfer")]
    [DataRow("new ArrayBuffer(8).transferToFixedLength(2 ** 30)", DisplayName = "ArrayBuffer.prototype.transferToFixedLength")]
    [DataRow("new (new ArrayBuffer(8).constructor)(2 ** 30)", DisplayName = "ArrayBuffer through an instance")]
    [DataRow("new (new ArrayBuffer(8).constructor)(8, { maxByteLength: 2 ** 30 })", DisplayName = "a resizable buffer through an instance")]
    [DataRow("typeof SharedArrayBuffer === 'undefined' ? new Uint8Array(2 ** 30) : new SharedArrayBuffer(2 ** 30)", DisplayName = "SharedArrayBuffer")]
    [DataRow("[].constructor(2 ** 30).fill(0)", DisplayName = "Array through an instance")]
    [DataRow("(() => { const a = []; a.length = 2 ** 32 - 1; return a.fill(0); })()", DisplayName = "fill of a 2**32-1 length")]
    [DataRow("new Array(2 ** 32 - 1).fill(0)", DisplayName = "new Array(2**32-1).fill")]
    [DataRow("Array.from({ length: 1e9 })", DisplayName = "Array.from of a huge array-like")]
    [DataRow("Array.apply(null, { length: 1e8 })", DisplayName = "apply with a huge argument list")]
    [DataRow("'x'.padEnd('268435456')", DisplayName = "padEnd with a string length")]
    [DataRow("'x'.repeat(2 ** 14).repeat(2 ** 14)", DisplayName = "repeat of a repeat")]
    [DataRow("Array(1000).fill('x'.repeat(1e6)).join('')", DisplayName = "join of many references to one long string")]
    [DataRow("Object.keys(new Uint8Array(2 ** 25))", DisplayName = "the keys of a big typed array")]
    [DataRow("Reflect.ownKeys(new Uint8Array(2 ** 25))", DisplayName = "Reflect.ownKeys of a big typed array")]
    [DoNotParallelize]
    public async Task Invoke_HugeAllocationOnAnyPath_IsRefusedAndHostServes(string expression)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("big", $"export default () => {{ const big = {expression}; return big.length ?? big.byteLength; }};");
        await host.DeployAsync("healthy", Healthy);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var (status, body, _) = await host.GetAsync("/fn/big");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var healthy = await host.GetAsync("/fn/healthy");

        Assert.AreEqual(500, status, body);
        StringAssert.Contains(body, "memory", body);
        Assert.IsLessThan(200L << 20, allocated, $"allocated {allocated >> 20} MB: {body}");
        Assert.AreEqual(200, healthy.Status);
    }

    [TestMethod]
    [DataRow("new Uint8Array({ n: 0, get length() { return this.n++ ? 2 ** 30 : 1; } }).length", DisplayName = "a length that changes when read twice")]
    [DataRow("new ArrayBuffer({ n: 0, valueOf() { return this.n++ ? 2 ** 30 : 1; } }).byteLength", DisplayName = "a byte length that changes when converted twice")]
    public async Task Invoke_SizeThatChangesWhenReadTwice_GetsTheSizeThatWasChecked(string expression)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("sly", $"export default () => {expression};");

        var (status, body, _) = await host.GetAsync("/fn/sly");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual("1", body);
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Invoke_EndlessBuiltInIterableIntoATypedArray_StopsAtALimitAndHostServes()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("endless", "export default () => new Uint8Array({ [Symbol.iterator]() { return Array.prototype.keys.call({ length: 2 ** 32 - 1 }); } }).length;", new { limits = new { timeoutMs = 3_000 } });
        await host.DeployAsync("healthy", Healthy);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var (status, body, _) = await host.GetAsync("/fn/endless");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var healthy = await host.GetAsync("/fn/healthy");

        // Copied in script, step by step: the memory limit or the timeout stops it, whichever the machine reaches first.
        Assert.IsTrue(status is 500 or 504, body);
        Assert.IsLessThan(400L << 20, allocated, $"allocated {allocated >> 20} MB: {body}");
        Assert.AreEqual(200, healthy.Status);
    }

    [TestMethod]
    public async Task Invoke_GuardedBuiltinsWithinTheLimit_BehaveAsTheStandardSays()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("fine", """
            export default () => {
              class X extends Uint8Array {}
              const x = new X(4);
              return [
                new Uint8Array([1, 2, 3]).join(), new Uint8Array(new Set([1, 2])).join(), Uint8Array.from([4, 5]).join(),
                new Uint8Array({ length: 2, 0: 7, 1: 8 }).join(), new Float64Array(new ArrayBuffer(16)).length,
                new Int16Array(new Uint8Array([1, 2])).join(), new BigInt64Array([1n]).join(), String([1, [2, 3]]),
                Array(3).length, new Array(2, 3).join(), Array.of(1, 2).length, [] instanceof Array, Array.isArray(new Array(1)),
                x instanceof X, x instanceof Uint8Array, x.length, x.constructor === X, new Uint8Array(2).constructor === Uint8Array,
                new ArrayBuffer(2).constructor === ArrayBuffer, [].constructor === Array, new ArrayBuffer(8).transfer(4).byteLength,
                new ArrayBuffer(8, { maxByteLength: 16 }).maxByteLength, new Uint8Array(new ArrayBuffer(8), 2, 3).length,
                [1, 2].map((v) => v * 2).join('-'), 'ab'.repeat(2), '7'.padStart(3, '0'),
              ].join('|');
            };
            """);

        var (status, body, _) = await host.GetAsync("/fn/fine");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual("1,2,3|1,2|4,5|7,8|2|1,2|1|1,2,3|3|2,3|2|true|true|true|true|4|true|true|true|true|4|16|3|2-4|abab|007", body);
    }

    [TestMethod]
    public async Task Invoke_LogFlood_IsCappedWithOneLineSayingHowManyWereDropped()
    {
        var capture = new LogCapture();
        await using var host = await TestHost.StartAsync(
            o => o.DefaultLimits.MaxLogLines = 20,
            needle => needle.Services.AddSingleton<ILoggerProvider>(capture));
        await host.DeployAsync("chatty", "export default (req, ctx) => { for (let i = 0; i < 5000; i++) { ctx.log.warn('line ' + i); } return 'done'; };");
        await host.DeployAsync("quiet", "export default (req, ctx) => { for (let i = 0; i < 500; i++) { ctx.log.warn('q' + i); } return 'done'; };", new { limits = new { maxLogLines = 3 } });

        var chatty = await host.GetAsync("/fn/chatty");
        var quiet = await host.GetAsync("/fn/quiet");

        // The dropped-lines line is written as the invocation ends, after its response went out: wait for both.
        await Eventually.WaitAsync(() => FunctionLines(capture).Count(l => l.Contains(" log line(s) dropped", StringComparison.Ordinal)) >= 2, "the chatty and quiet calls' dropped-lines lines");
        var lines = FunctionLines(capture);

        Assert.AreEqual(200, chatty.Status);
        Assert.AreEqual(200, quiet.Status);
        Assert.AreEqual(20, lines.Count(l => l.Contains("chatty@", StringComparison.Ordinal) && l.Contains("] line ", StringComparison.Ordinal)));
        Assert.AreEqual(1, lines.Count(l => l.Contains("chatty@", StringComparison.Ordinal) && l.Contains("4980 log line(s) dropped", StringComparison.Ordinal)), string.Join("\n", lines.TakeLast(3)));
        Assert.AreEqual(3, lines.Count(l => l.Contains("quiet@", StringComparison.Ordinal) && l.Contains("] q", StringComparison.Ordinal)));
        Assert.AreEqual(1, lines.Count(l => l.Contains("quiet@", StringComparison.Ordinal) && l.Contains("497 log line(s) dropped", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task Invoke_LogBytesOverTheLimit_AreDropped()
    {
        var capture = new LogCapture();
        await using var host = await TestHost.StartAsync(needle: needle => needle.Services.AddSingleton<ILoggerProvider>(capture));
        await host.DeployAsync("wordy", "export default (req, ctx) => { for (let i = 0; i < 100; i++) { ctx.log.warn('w'.repeat(10000)); } return 'done'; };", new { limits = new { maxLogKb = 50 } });

        var wordy = await host.GetAsync("/fn/wordy");

        // The dropped-lines line is written as the invocation ends, after its response went out.
        await Eventually.WaitAsync(() => FunctionLines(capture).Any(l => l.Contains(" log line(s) dropped", StringComparison.Ordinal)), "the wordy call's dropped-lines line");
        var lines = FunctionLines(capture);

        Assert.AreEqual(200, wordy.Status);
        Assert.AreEqual(5, lines.Count(l => l.Contains("www", StringComparison.Ordinal)));
        Assert.AreEqual(1, lines.Count(l => l.Contains("95 log line(s) dropped", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task Invoke_LogWithLineBreaks_CannotForgeHostLogLines()
    {
        var capture = new LogCapture();
        await using var host = await TestHost.StartAsync(needle: needle => needle.Services.AddSingleton<ILoggerProvider>(capture));
        await host.DeployAsync("forger", "export default (req, ctx) => { ctx.log.warn('ok\\r\\nwarn: Microsoft.Hosting.Lifetime[0] Application is shutting down\\u2028x\\u001b[31m'); return 'done'; };");

        await host.GetAsync("/fn/forger");
        var line = capture.Entries.Single(e => e.EventId.Id == 1000).Message;

        Assert.IsFalse(line.AsSpan().ContainsAny("\r\n\u2028\u001b"), line);
        StringAssert.Contains(line, @"ok\r\nwarn: Microsoft.Hosting.Lifetime[0] Application is shutting down\u2028x\u001b[31m");
    }

    // The functions' own log lines (event 1000), the dropped-lines line among them.
    private static List<string> FunctionLines(LogCapture capture) =>
        capture.Entries.Where(e => e.EventId.Id == 1000).Select(e => e.Message).ToList();
}
