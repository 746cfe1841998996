using System.Diagnostics;
using Needle.Functions;
using Needle.Runtime;
using static Needle.Tests.Runtime.JavaScript.JavaScriptTestHost;

namespace Needle.Tests.Runtime.JavaScript;

[TestClass]
public sealed class JavaScriptLimitsTests
{
    private const string CountCalls = "let calls = 0;\n";

    [TestMethod]
    [DoNotParallelize]
    public async Task InvokeAsync_InfiniteLoop_TimesOutAndNextCallWorks()
    {
        await using var function = await LoadAsync(
            CountCalls + "export default (req) => { if (req.path === '/loop') { for (;;) {} } return 'fine'; };",
            new FunctionLimits { TimeoutMs = 200, MaxStatements = 0 });
        var stopwatch = Stopwatch.StartNew();

        var ex = await InvokeFailingAsync(function, Get("/loop"));
        var elapsed = stopwatch.Elapsed;
        var next = await InvokeAsync(function);

        Assert.AreEqual(InvocationFailure.Timeout, ex.Failure);
        Assert.IsLessThan(TimeSpan.FromSeconds(3), elapsed);
        Assert.AreEqual("fine", next.Body);
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task InvokeAsync_TimeoutWhileAwaitingFetch_TimesOutPromptlyAndDiscardsEngine()
    {
        var downstream = new TestDownstreamClient { Delay = TimeSpan.FromSeconds(5) };
        await using var function = await LoadAsync(
            CountCalls + "export default async (req, ctx) => { calls++; await ctx.fetch('http://slow/'); return 'late'; };",
            new FunctionLimits { TimeoutMs = 200 });
        var stopwatch = Stopwatch.StartNew();

        var ex = await InvokeFailingAsync(function, downstream: downstream);

        Assert.AreEqual(InvocationFailure.Timeout, ex.Failure);
        Assert.IsLessThan(TimeSpan.FromSeconds(3), stopwatch.Elapsed);
        Assert.AreEqual(0, function.EngineCount);
    }

    [TestMethod]
    public async Task InvokeAsync_MemoryBomb_ThrowsMemoryLimit()
    {
        await using var function = await LoadAsync(
            "export default () => { const a = []; for (;;) { a.push('x'.repeat(1000) + a.length); } };",
            new FunctionLimits { MemoryMb = 8, MaxStatements = 0 });

        var ex = await InvokeFailingAsync(function);

        Assert.AreEqual(InvocationFailure.LimitExceeded, ex.Failure);
        Assert.AreEqual("memory", ex.Limit);
        Assert.AreEqual(0, function.EngineCount);
    }

    [TestMethod]
    [DataRow("'x'.repeat(2 ** 28)", DisplayName = "String.repeat")]
    [DataRow("'x'.padEnd(2 ** 28)", DisplayName = "String.padEnd")]
    [DataRow("new Uint8Array(2 ** 30)", DisplayName = "typed array")]
    [DataRow("new Float64Array(2 ** 27)", DisplayName = "typed array of doubles")]
    [DataRow("new ArrayBuffer(2 ** 30)", DisplayName = "ArrayBuffer")]
    [DataRow("new ArrayBuffer(8, { maxByteLength: 2 ** 30 })", DisplayName = "resizable ArrayBuffer")]
    [DataRow("new Array(2 ** 30).fill(0)", DisplayName = "Array of a huge length")]
    [DoNotParallelize]
    public async Task InvokeAsync_OneHugeAllocation_IsRefusedBeforeItHappens(string expression)
    {
        await using var function = await LoadAsync(
            $"export default () => {{ const big = {expression}; return big.length; }};",
            new FunctionLimits { MemoryMb = 16 });
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var ex = await InvokeFailingAsync(function);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.AreEqual(InvocationFailure.HandlerError, ex.Failure);
        StringAssert.Contains(ex.Message, "memory limit of 16 MB");
        Assert.IsLessThan(64L << 20, allocated, $"allocated {allocated >> 20} MB");
    }

    [TestMethod]
    public async Task InvokeAsync_GuardedBuiltinsWithinTheLimit_WorkAsUsual()
    {
        await using var function = await LoadAsync(
            "export default () => [ 'ab'.repeat(3), '7'.padStart(3, '0'), new Uint8Array(4).length, new ArrayBuffer(16).byteLength, Array(3).length, Array.isArray([]), [] instanceof Array, Array.from({ length: 2 }, (_, i) => i).join() ].join('|');");

        var response = await InvokeAsync(function);

        Assert.AreEqual("ababab|007|4|16|3|true|true|0,1", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_UnboundedRecursion_ThrowsRecursionLimit()
    {
        await using var function = await LoadAsync(
            "function f(n) { return f(n + 1) + 1; }\nexport default async () => f(0);",
            new FunctionLimits { MaxRecursionDepth = 100 });

        var ex = await InvokeFailingAsync(function);

        Assert.AreEqual(InvocationFailure.LimitExceeded, ex.Failure);
        Assert.AreEqual("recursion", ex.Limit);
    }

    [TestMethod]
    public async Task InvokeAsync_TooManyStatements_ThrowsStatementsLimit()
    {
        await using var function = await LoadAsync(
            "export default () => { let s = 0; for (let i = 0; i < 1e6; i++) { s += i; } return s; };",
            new FunctionLimits { MaxStatements = 10_000 });

        var ex = await InvokeFailingAsync(function);

        Assert.AreEqual(InvocationFailure.LimitExceeded, ex.Failure);
        Assert.AreEqual("statements", ex.Limit);
    }

    [TestMethod]
    public async Task InvokeAsync_StatementsAcrossCalls_AreCountedPerCall()
    {
        await using var function = await LoadAsync(
            "export default () => { let s = 0; for (let i = 0; i < 300; i++) { s += i; } return s; };",
            new FunctionLimits { MaxStatements = 2_000 });

        for (var i = 0; i < 20; i++)
        {
            var response = await InvokeAsync(function);
            Assert.AreEqual("44850", response.Body);
        }
    }

    [TestMethod]
    public async Task InvokeAsync_AllocationsSpreadOverAwaits_DoNotTripMemoryLimit()
    {
        var downstream = new TestDownstreamClient { MaxRandomDelayMs = 2 };
        await using var function = await LoadAsync(
            """
            export default async (req, ctx) => {
              let total = 0;
              for (let i = 0; i < 3; i++) {
                const parts = [];
                for (let j = 0; j < 200; j++) { parts.push('x'.repeat(1000) + j); }
                total += parts.length;
                await ctx.fetch('http://svc/');
              }
              return total;
            };
            """,
            new FunctionLimits { MemoryMb = 4 });

        for (var i = 0; i < 30; i++)
        {
            var response = await InvokeAsync(function, downstream: downstream);
            Assert.AreEqual("600", response.Body);
        }

        // Each call allocates about as much as the limit, so engines are recycled as they go; never more than one.
        Assert.IsLessThanOrEqualTo(1, function.EngineCount);
    }

    [TestMethod]
    public async Task InvokeAsync_CallerAbortsEarly_ThrowsAborted()
    {
        var downstream = new TestDownstreamClient { Delay = TimeSpan.FromSeconds(5) };
        await using var function = await LoadAsync("export default async (req, ctx) => { await ctx.fetch('http://slow/'); };");
        using var aborted = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var context = new InvocationContext(function.Version, "r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, downstream, function.Limits, function.Limits.Timeout, aborted.Token);

        var ex = await Assert.ThrowsExactlyAsync<FunctionInvocationException>(() => function.InvokeAsync(Get(), context).AsTask());

        Assert.AreEqual(InvocationFailure.Aborted, ex.Failure);
    }
}
