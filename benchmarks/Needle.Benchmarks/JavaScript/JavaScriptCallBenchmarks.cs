using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Jint;
using Jint.Native;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Needle.Functions;
using Needle.Hosting;
using Needle.Routing;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Runtime.JavaScript;

namespace Needle.Benchmarks.JavaScript;

/// <summary>
/// Where one JavaScript call's time goes, stage by stage (issue #18), for the sample's <c>hello</c> and an aggregator
/// whose two fetches complete at once (no network: the promise pump and the fetch plumbing, not a socket).
/// Baselines in the same run: the same answer written natively (System.Text.Json into a buffer) and the same handler
/// called on a bare Jint engine with no Needle around it.
/// </summary>
[MemoryDiagnoser]
public class JavaScriptCallBenchmarks
{
    private const string HelloSource = """
        export default async function (req, ctx) {
          const name = req.query.name ?? "world";
          return { message: `Hello, ${name}!` };
        }
        """;

    private const string AggregatorSource = """
        export default async function (req, ctx) {
          const id = req.params.id;
          const [user, orders] = await Promise.all([
            ctx.fetch(`http://backend/users/${id}`).then((r) => r.json()),
            ctx.fetch(`http://backend/users/${id}/orders`).then((r) => r.json()),
          ]);
          const total = orders.reduce((sum, o) => sum + o.amount, 0);
          return {
            id: user.id,
            name: user.name,
            tier: user.tier,
            orders: { count: orders.length, open: orders.filter((o) => o.status === "open").length, total: Math.round(total * 100) / 100 },
            recent: orders.slice(-3).reverse().map((o) => ({ id: o.id, amount: o.amount })),
          };
        }
        """;

    // The InstantDownstream's two answers, as a script fetch on the bare engine.
    private const string BareFetchContext = """
        ({
          fetch: (url) => {
            const text = url.endsWith("/orders")
              ? '[{"id":1,"amount":12.5,"status":"open"},{"id":2,"amount":30,"status":"shipped"},{"id":3,"amount":7.25,"status":"open"},{"id":4,"amount":99.9,"status":"shipped"}]'
              : '{"id":9,"name":"Ada Lovelace","tier":"gold"}';
            return Promise.resolve({ status: 200, ok: true, headers: { "content-type": "application/json" }, json: () => Promise.resolve(JSON.parse(text)) });
          },
        })
        """;

    private static readonly NeedleOptions Options = new();

    private JavaScriptFunction _hello = null!;
    private JavaScriptFunction _aggregator = null!;
    private JavaScriptEngine _engine = null!;
    private JavaScriptEnginePool _pool = null!;
    private FunctionRequest _helloRequest = null!;
    private FunctionRequest _aggregatorRequest = null!;
    private DefaultHttpContext _http = null!;
    private JsValue _result = null!;
    private Engine _bare = null!;
    private JsValue _bareHandler = null!;
    private JsValue[] _bareArguments = null!;
    private JsValue _bareAggregator = null!;
    private JsValue[] _bareAggregatorArguments = null!;
    private readonly InstantDownstream _downstream = new();

    [GlobalSetup]
    public void Setup()
    {
        var runtime = new JavaScriptRuntime(NullLoggerFactory.Instance);
        _hello = Load(runtime, "hello", HelloSource);
        _aggregator = Load(runtime, "aggregator", AggregatorSource, services: ["backend"]);
        var limits = _hello.Limits;
        var module = Engine.PrepareModule(HelloSource, JavaScriptEngine.ModuleSpecifier);
        _engine = JavaScriptEngine.Create(module, limits, null, CancellationToken.None);
        _pool = new JavaScriptEnginePool(1, TimeSpan.FromSeconds(1));
        _pool.Add(JavaScriptEngine.Create(module, limits, null, CancellationToken.None));

        var query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["name"] = "Ada" });
        _helloRequest = new FunctionRequest { Method = "GET", Path = "/hello", Query = query, RouteValues = new RouteValueDictionary(), Headers = new HeaderDictionary() };
        _aggregatorRequest = new FunctionRequest { Method = "GET", Path = "/profile/9", RouteValues = new RouteValueDictionary { ["id"] = "9" }, Headers = new HeaderDictionary() };
        _http = NewHttpContext();

        _result = _engine.Engine.Evaluate("({ message: 'Hello, Ada!' })");

        _bare = new Engine(o => o.Strict = true);
        _bare.Modules.Add("bare.js", HelloSource);
        _bareHandler = _bare.Modules.Import("bare.js").Get("default");
        _bareArguments = [_bare.Evaluate("({ query: { name: 'Ada' } })"), _bare.Evaluate("({})")];
        _bare.Modules.Add("bare-aggregator.js", AggregatorSource);
        _bareAggregator = _bare.Modules.Import("bare-aggregator.js").Get("default");
        _bareAggregatorArguments = [_bare.Evaluate("({ params: { id: '9' } })"), _bare.Evaluate(BareFetchContext)];

        // Warm both engines' first calls (a cold start is not what is measured).
        FunctionInvokeAndWrite().GetAwaiter().GetResult();
        AggregatorInvoke().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hello.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _aggregator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _engine.Dispose();
        _pool.Dispose();
        _bare.Dispose();
    }

    /// <summary>The same answer, native: what a minimal-API handler does for it (serialise a small object to UTF-8).</summary>
    [Benchmark(Baseline = true)]
    public int Native() => JsonSerializer.SerializeToUtf8Bytes(new Greeting($"Hello, {_helloRequest.Query["name"]}!")).Length;

    /// <summary>The handler on a bare Jint engine: call, read the settled promise. No limits, no Needle.</summary>
    [Benchmark]
    public JsValue BareJintCall() => _bare.Call(_bareHandler, JsValue.Undefined, _bareArguments).UnwrapIfPromise();

    /// <summary>
    /// The aggregator on a bare Jint engine whose <c>ctx.fetch</c> is script (a settled promise of a response whose
    /// <c>json()</c> parses the same text): Jint's own cost of the handler, its promises and its JSON, without Needle.
    /// </summary>
    [Benchmark]
    public JsValue BareJintAggregator() => _bare.Call(_bareAggregator, JsValue.Undefined, _bareAggregatorArguments).UnwrapIfPromise();

    /// <summary>Stage: take an idle engine from the pool and give it back.</summary>
    [Benchmark]
    public async Task<int> RentAndReturn()
    {
        var engine = await _pool.AcquireAsync(CancellationToken.None);
        _pool.Return(engine!);
        return 0;
    }

    /// <summary>Stage: build <c>req</c> (query, params, the lazy headers).</summary>
    [Benchmark]
    public JsValue BuildRequest() => JavaScriptRequestConverter.Create(_engine, _helloRequest);

    /// <summary>Stage: result conversion JS → JSON → UTF-8 and the response write.</summary>
    [Benchmark]
    public Task ConvertAndWrite()
    {
        _http.Response.Headers.Clear();
        var response = JavaScriptResponseConverter.Convert(_engine.Engine, _result, _engine.MaxResponseBytes);
        return ResponseWriter.WriteAsync(_http, response);
    }

    /// <summary>The engine's whole call: limits reset, req and ctx, the call, the promise pump, the conversion.</summary>
    [Benchmark]
    public async Task<int> EngineInvoke()
    {
        using var context = Context(_hello, _http);
        var response = await _engine.InvokeAsync(_helloRequest, context);
        response.ReturnUtf8Buffer();
        return response.StatusCode;
    }

    /// <summary>What the endpoint runs for hello minus Kestrel, routing and telemetry: context, rent, call, write.</summary>
    [Benchmark]
    public async Task<int> FunctionInvokeAndWrite()
    {
        _http.Response.Headers.Clear();
        using var context = Context(_hello, _http);
        var response = await _hello.InvokeAsync(_helloRequest, context);
        await ResponseWriter.WriteAsync(_http, response);
        return response.StatusCode;
    }

    /// <summary>The aggregator with two fetches that complete at once: the awaiting path's own cost.</summary>
    [Benchmark]
    public async Task<int> AggregatorInvoke()
    {
        _http.Response.Headers.Clear();
        var http = NewHttpContext();
        using var context = InvocationContext.WithDeadline(_aggregator.Version, NullLogger.Instance, _downstream, _aggregator.Limits, http);
        var response = await _aggregator.InvokeAsync(_aggregatorRequest, context);
        await ResponseWriter.WriteAsync(_http, response);
        return response.StatusCode;
    }

    private static InvocationContext Context(ILoadedFunction function, HttpContext http) =>
        InvocationContext.WithDeadline(function.Version, NullLogger.Instance, new InstantDownstream(), function.Limits, http);

    private static DefaultHttpContext NewHttpContext()
    {
        var http = new DefaultHttpContext();
        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        return http;
    }

    private static JavaScriptFunction Load(JavaScriptRuntime runtime, string name, string source, List<string>? services = null)
    {
        var manifest = new FunctionManifest { Name = name, Route = "/" + name, Services = services };
        var version = new FunctionVersion(name, 1, source, manifest, "hash", "bench", DateTimeOffset.UtcNow, null);
        return (JavaScriptFunction)runtime.LoadAsync(version, ResolvedLimits.Resolve(manifest.Limits, Options), CancellationToken.None).GetAwaiter().GetResult();
    }

    private sealed record Greeting(string Message);

    /// <summary>A downstream whose answers are ready at once (the mock backend's JSON), so no socket is measured.</summary>
    private sealed class InstantDownstream : IDownstreamClient
    {
        private static readonly Task<DownstreamResponse> User = Task.FromResult(new DownstreamResponse(
            200, [new("content-type", "application/json")], """{"id":9,"name":"Ada Lovelace","tier":"gold"}"""));

        private static readonly Task<DownstreamResponse> Orders = Task.FromResult(new DownstreamResponse(
            200,
            [new("content-type", "application/json")],
            """[{"id":1,"amount":12.5,"status":"open"},{"id":2,"amount":30,"status":"shipped"},{"id":3,"amount":7.25,"status":"open"},{"id":4,"amount":99.9,"status":"shipped"}]"""));

        public Task<DownstreamResponse> FetchAsync(DownstreamRequest request, InvocationContext context) =>
            request.Url.EndsWith("/orders", StringComparison.Ordinal) ? Orders : User;
    }
}
