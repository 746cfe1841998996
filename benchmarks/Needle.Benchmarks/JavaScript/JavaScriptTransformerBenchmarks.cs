using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Needle.Functions;
using Needle.Hosting;
using Needle.Routing;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Runtime.JavaScript;

namespace Needle.Benchmarks.JavaScript;

/// <summary>
/// The sample's transformer (CPU-bound: filter, sort and a template literal per product) in process, no HTTP: on a
/// bare Jint engine (baseline), through Needle with the host's default limits (the module rewritten so every
/// concatenation is guarded, the built-in guards installed), and through Needle with no memory limit (no rewrite, no
/// guards), so the guards' own cost is the difference of two figures of one run.
/// </summary>
[MemoryDiagnoser]
public class JavaScriptTransformerBenchmarks
{
    private static readonly string Source = File.ReadAllText(SamplePath("transformer.js"));

    private static readonly IDownstreamClient Downstream = new NoDownstream();

    private JavaScriptFunction _guarded = null!;
    private JavaScriptFunction _unguarded = null!;
    private FunctionRequest _request = null!;
    private DefaultHttpContext _http = null!;
    private Engine _bare = null!;
    private JsValue _bareHandler = null!;
    private JsValue[] _bareArguments = null!;

    [GlobalSetup]
    public void Setup()
    {
        var runtime = new JavaScriptRuntime(NullLoggerFactory.Instance);
        var defaults = ResolvedLimits.Resolve(null, new NeedleOptions());
        _guarded = Load(runtime, Source, defaults);
        _unguarded = Load(runtime, Source, defaults with { MemoryBytes = 0 });

        var query = new QueryCollection(new Dictionary<string, StringValues> { ["category"] = "tools" });
        _request = new FunctionRequest { Method = "GET", Path = "/products", Query = query, RouteValues = new RouteValueDictionary(), Headers = new HeaderDictionary() };
        _http = new DefaultHttpContext();
        _http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));

        _bare = new Engine(o => o.Strict = true);
        _bare.Modules.Add("bare.js", Source);
        _bareHandler = _bare.Modules.Import("bare.js").Get("default");
        _bareArguments = [_bare.Evaluate("({ query: { category: 'tools' } })"), _bare.Evaluate("({ config: { minRating: 0 } })")];

        // Warm the first calls (a cold start is not what is measured).
        Guarded().GetAwaiter().GetResult();
        Unguarded().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _guarded.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _unguarded.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _bare.Dispose();
    }

    /// <summary>The handler on a bare Jint engine: call, read the settled promise, JSON text. No limits, no Needle.</summary>
    [Benchmark(Baseline = true)]
    public int BareJintCall()
    {
        var result = _bare.Call(_bareHandler, JsValue.Undefined, _bareArguments).UnwrapIfPromise();
        return new JsonSerializer(_bare).Serialize(result).ToString().Length;
    }

    /// <summary>Needle with the host's default limits: context, rent, call, conversion, response write.</summary>
    [Benchmark]
    public Task<int> Guarded() => InvokeAsync(_guarded);

    /// <summary>The same with no memory limit: no concatenation rewrite and no built-in guards.</summary>
    [Benchmark]
    public Task<int> Unguarded() => InvokeAsync(_unguarded);

    internal static string SamplePath(string file)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", "Needle.Sample", "functions", file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"samples/Needle.Sample/functions/{file} not found above {AppContext.BaseDirectory}.");
    }

    private async Task<int> InvokeAsync(JavaScriptFunction function)
    {
        _http.Response.Headers.Clear();
        using var context = InvocationContext.WithDeadline(function.Version, NullLogger.Instance, Downstream, function.Limits, _http);
        var response = await function.InvokeAsync(_request, context);
        await ResponseWriter.WriteAsync(_http, response);
        return response.StatusCode;
    }

    private static JavaScriptFunction Load(JavaScriptRuntime runtime, string source, ResolvedLimits limits)
    {
        var manifest = new FunctionManifest { Name = "products", Route = "/products", Config = new JsonObject { ["minRating"] = 0 } };
        var version = new FunctionVersion("products", 1, source, manifest, "hash", "bench", DateTimeOffset.UtcNow, null);
        return (JavaScriptFunction)runtime.LoadAsync(version, limits, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>The transformer fetches nothing.</summary>
    private sealed class NoDownstream : IDownstreamClient
    {
        public Task<DownstreamResponse> FetchAsync(DownstreamRequest request, InvocationContext context) =>
            throw new InvalidOperationException("The transformer fetches nothing.");
    }
}
