using System.Diagnostics;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Needle.Functions;
using Needle.Hosting;
using Needle.Routing;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Runtime.JavaScript;

namespace Needle.Benchmarks.Host.Floor;

/// <summary>
/// Rungs between <c>/native/hello</c> and <c>/fn/hello</c>, each a minimal-API endpoint on the same Kestrel, so that at
/// full load the JavaScript hello's extra CPU per request splits by who spends it (issue #18, <c>benchmarks/load/ladder.sh</c>):
/// <list type="bullet">
/// <item><c>/floor/jint/hello</c>: the sample's hello handler on a bare Jint engine (one per thread, no limits, no
/// Needle): <c>req</c> as a plain object, the promise read once settled, the result through Jint's
/// <c>JSON.stringify</c>. The floor any Jint integration pays.</item>
/// <item><c>/floor/engine/hello</c>: Needle's own <see cref="JavaScriptEngine"/> (one per thread, the module guarded
/// and prepared as <see cref="JavaScriptRuntime"/> does, the version's limits and sandbox, Needle's <c>req</c> and <c>ctx</c>, the promise pump, the UTF-8 writer) called with an
/// <see cref="InvocationContext"/> and written by Needle's <see cref="ResponseWriter"/>: everything but Needle's
/// endpoint (the route table, the release choice, the engine pool, the watchdog and the invocation record).</item>
/// <item><c>/floor/pool/hello</c>: the same, with the engine taken from and given back to one shared
/// <see cref="JavaScriptEnginePool"/> (as a version's calls take theirs) instead of kept per thread.</item>
/// <item><c>/floor/function/hello</c>: the version loaded by Needle's <see cref="JavaScriptRuntime"/> and called
/// through its <see cref="ILoadedFunction"/> (its own pool, engine recycling and memory accounting), still without the
/// endpoint.</item>
/// </list>
/// <c>/floor/stats</c> answers the process's CPU time, allocated bytes, gen0 collections and GC pause time, read
/// before and after each load run.
/// </summary>
internal static class HelloFloors
{
    private static readonly NeedleOptions Options = new();

    [ThreadStatic]
    private static BareHello? t_bare;

    [ThreadStatic]
    private static JavaScriptEngine? t_engine;

    private static readonly JavaScriptEnginePool Pool = new(16, TimeSpan.FromSeconds(5));

    private static string _source = string.Empty;
    private static FunctionVersion _version = null!;
    private static ResolvedLimits _limits = null!;
    private static Prepared<Acornima.Ast.Module> _module;
    private static ILoadedFunction _function = null!;

    public static RouteGroupBuilder MapHelloFloors(this IEndpointRouteBuilder endpoints, string prefix, string functionsPath)
    {
        _source = File.ReadAllText(Path.Combine(functionsPath, "hello.js"));
        var manifest = new FunctionManifest { Name = "hello", Route = "/hello" };
        _version = new FunctionVersion("hello", 1, _source, manifest, "floor", "floor", DateTimeOffset.UtcNow, null);
        _limits = ResolvedLimits.Resolve(manifest.Limits, Options);

        _module = JavaScriptRuntime.Prepare(_source, _limits);
        _function = new JavaScriptRuntime(NullLoggerFactory.Instance).LoadAsync(_version, _limits, CancellationToken.None).GetAwaiter().GetResult();

        var group = endpoints.MapGroup(prefix);
        group.MapGet("/jint/hello", BareAsync);
        group.MapGet("/engine/hello", http => EngineAsync(http, t_engine ??= NewEngine(), pooled: false));
        group.MapGet("/pool/hello", async http =>
        {
            var engine = (Pool.TryTake(out var idle) ? idle : await Pool.AcquireAsync(http.RequestAborted)) ?? NewEngine();
            await EngineAsync(http, engine, pooled: true);
        });
        group.MapGet("/function/hello", FunctionAsync);
        group.MapGet("/stats", () =>
        {
            using var process = Process.GetCurrentProcess();
            return new Stats(process.TotalProcessorTime.TotalMicroseconds, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.GetTotalPauseDuration().TotalMilliseconds);
        });
        return group;
    }

    private static Task BareAsync(HttpContext http)
    {
        var bare = t_bare ??= new BareHello(_source);
        var json = bare.Call(http.Request.Query.TryGetValue("name", out var name) ? name.ToString() : null);
        http.Response.ContentType = JavaScriptResponseConverter.JsonContentType;
        return http.Response.WriteAsync(json);
    }

    private static JavaScriptEngine NewEngine() => JavaScriptEngine.Create(_module, _limits, null, CancellationToken.None);

    private static async Task EngineAsync(HttpContext http, JavaScriptEngine engine, bool pooled)
    {
        FunctionResponse response;
        using (var context = ContextOf(http))
        {
            var call = engine.InvokeAsync(RequestOf(http), context);

            // hello never waits, so the call has ended before another request can take a per-thread engine.
            if (!call.IsCompleted)
            {
                throw new InvalidOperationException("The floor's hello waited; a per-thread engine cannot serve a call that waits.");
            }

            response = call.Result;
        }

        if (pooled)
        {
            Pool.Return(engine);
        }

        await ResponseWriter.WriteAsync(http, response);
    }

    private static async Task FunctionAsync(HttpContext http)
    {
        FunctionResponse response;
        using (var context = ContextOf(http))
        {
            response = await _function.InvokeAsync(RequestOf(http), context);
        }

        await ResponseWriter.WriteAsync(http, response);
    }

    private static FunctionRequest RequestOf(HttpContext http) =>
        new() { Method = http.Request.Method, Path = http.Request.Path, Query = http.Request.Query, Headers = http.Request.Headers };

    private static InvocationContext ContextOf(HttpContext http) =>
        InvocationContext.WithDeadline(_version, NullLogger.Instance, NoDownstream.Instance, _limits, http);

    /// <summary>What <c>/floor/stats</c> answers.</summary>
    internal sealed record Stats(double CpuMicroseconds, long AllocatedBytes, int Gen0Collections, double PauseMilliseconds);

    /// <summary>The hello handler on a bare Jint engine.</summary>
    private sealed class BareHello
    {
        private readonly Engine _engine = new(o => o.Strict = true);
        private readonly JsValue _handler;
        private readonly JsValue _ctx;
        private readonly JsonSerializer _json;

        public BareHello(string source)
        {
            _engine.Modules.Add("hello.js", source);
            _handler = _engine.Modules.Import("hello.js").Get("default");
            _ctx = new JsObject(_engine);
            _json = new JsonSerializer(_engine);
        }

        public string Call(string? name)
        {
            var query = new JsObject(_engine);
            if (name is not null)
            {
                query.FastSetDataProperty("name", name);
            }

            var req = new JsObject(_engine);
            req.FastSetDataProperty("query", query);
            var result = _engine.Call(_handler, JsValue.Undefined, [req, _ctx]).UnwrapIfPromise();
            return _json.Serialize(result, JsValue.Undefined, JsValue.Undefined).ToString();
        }
    }

    /// <summary>hello fetches nothing.</summary>
    private sealed class NoDownstream : IDownstreamClient
    {
        public static readonly NoDownstream Instance = new();

        public Task<DownstreamResponse> FetchAsync(DownstreamRequest request, InvocationContext context) =>
            throw new InvalidOperationException("The floor's hello fetches nothing.");
    }
}
