using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Needle.Functions;
using Needle.Runtime;
using static Needle.Tests.Runtime.JavaScript.JavaScriptTestHost;

namespace Needle.Tests.Runtime.JavaScript;

/// <summary>
/// One engine serves call after call, and its per-call objects (<c>req</c> and <c>ctx</c>, built lazily from shared
/// layouts) and per-call state (request id, log budget, deadline) must stay the call's own.
/// </summary>
[TestClass]
public sealed class JavaScriptCallStateTests
{
    private static readonly FunctionLimits OneEngine = new() { MaxConcurrency = 1 };

    [TestMethod]
    public async Task InvokeAsync_TwoCallsOnOneEngine_SeeOnlyTheirOwnRequestAndContext()
    {
        await using var function = await LoadAsync("""
            let kept = null;
            export default (req, ctx) => {
              const earlier = kept === null ? null : {
                sameCtx: kept.ctx === ctx,
                sameReq: kept.req === req,
                extraOnCtx: ctx.extra ?? null,
                keptId: kept.ctx.requestId,
                keptQuery: kept.req.query.q ?? null,
                keptParams: Object.keys(kept.req.params).length,
                keptHeaders: Object.keys(kept.req.headers).length,
              };
              const own = { id: ctx.requestId, q: req.query.q, headers: Object.keys(req.headers).length };
              if (kept === null) {
                // The first call reads its query only, and leaves marks on ctx for a later call to find.
                ctx.extra = 'left by the first call';
                Object.defineProperty(ctx, 'log', { value: null });
              }
              kept = { req, ctx };
              return { own, earlier, logIsFunction: typeof ctx.log?.info === 'function' };
            };
            """, OneEngine);
        var first = Request("one", ("X-A", "1"));
        var second = Request("two", ("X-B", "2"), ("X-C", "3"));

        var one = JsonNode.Parse((await InvokeAsync(function, first, requestId: "req-1")).Body!)!;
        var two = JsonNode.Parse((await InvokeAsync(function, second, requestId: "req-2")).Body!)!;

        Assert.AreEqual(1, function.EngineCount, "both calls ran on the one engine");
        Assert.AreEqual("req-1", (string?)one["own"]!["id"]);
        Assert.AreEqual("one", (string?)one["own"]!["q"]);
        Assert.AreEqual("req-2", (string?)two["own"]!["id"]);
        Assert.AreEqual("two", (string?)two["own"]!["q"]);
        Assert.AreEqual(2, (int)two["own"]!["headers"]!);
        Assert.IsTrue((bool)two["logIsFunction"]!, "what the first call did to its ctx is not seen by the second");
        var earlier = two["earlier"]!;
        Assert.IsFalse((bool)earlier["sameCtx"]!);
        Assert.IsFalse((bool)earlier["sameReq"]!);
        Assert.IsNull(earlier["extraOnCtx"]);
        Assert.AreEqual("req-1", (string?)earlier["keptId"], "a kept ctx keeps its own call's id");
        Assert.AreEqual("one", (string?)earlier["keptQuery"], "a member read during its call stays as it was read");
        Assert.AreEqual(0, (int)earlier["keptParams"]!, "a member not read during its call never shows a later request's");
        Assert.AreEqual(1, (int)earlier["keptHeaders"]!, "headers were read during the first call");
    }

    [TestMethod]
    public async Task InvokeAsync_LogBudgetUsedUpByOneCall_LeavesTheNextCallItsOwn()
    {
        await using var logged = await LoadAsync("""
            export default (req, ctx) => {
              for (let i = 0; i < Number(req.query.n); i++) ctx.log.info('line ' + i);
              return 'ok';
            };
            """, new FunctionLimits { MaxConcurrency = 1, MaxLogLines = 3 });
        var firstLogs = new List<FunctionLogEntry>();
        var secondLogs = new List<FunctionLogEntry>();

        await InvokeWithLimitsAsync(logged, Request("10"), firstLogs);
        await InvokeWithLimitsAsync(logged, Request("2"), secondLogs);

        Assert.AreEqual(4, firstLogs.Count, "three lines and the report of the dropped ones");
        CollectionAssert.AreEqual(new[] { "line 0", "line 1" }, secondLogs.Select(l => l.Message).ToArray());
    }

    [TestMethod]
    public async Task InvokeAsync_DeadlineOfOneCall_IsNotCarriedIntoTheNext()
    {
        // Each call spins for 60 % of the timeout: two together would pass it, each alone does not.
        await using var function = await LoadAsync("""
            export default async () => {
              const end = Date.now() + 1800;
              // Few clock reads (each allocates): the spin stays far below the memory limit.
              while (Date.now() < end) { for (let i = 0; i < 500; i++) { } }
              await Promise.resolve();
              return 'done';
            };
            """, new FunctionLimits { MaxConcurrency = 1, TimeoutMs = 3000, MaxStatements = 0 });

        var first = await InvokeAsync(function);
        var second = await InvokeAsync(function);

        Assert.AreEqual("done", first.Body);
        Assert.AreEqual("done", second.Body);
    }

    // As the endpoint does: the context carries the version's resolved limits (the log budget among them).
    private static async Task<FunctionResponse> InvokeWithLimitsAsync(ILoadedFunction function, FunctionRequest request, List<FunctionLogEntry> logs)
    {
        using var timeout = new CancellationTokenSource(function.Limits.Timeout);
        using var context = new InvocationContext(function.Version, "req", NullLogger.Instance, new TestDownstreamClient(), function.Limits, function.Limits.Timeout, timeout.Token, logs);
        return await function.InvokeAsync(request, context);
    }

    private static FunctionRequest Request(string q, params (string Name, string Value)[] headers) => new()
    {
        Method = "GET",
        Path = "/hello",
        Query = new QueryCollection(new Dictionary<string, StringValues> { ["q"] = q, ["n"] = q }),
        RouteValues = new RouteValueDictionary(),
        Headers = Headers(headers),
    };
}
