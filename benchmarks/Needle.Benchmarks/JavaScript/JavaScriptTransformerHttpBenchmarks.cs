using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Needle.Routing;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Serving;

namespace Needle.Benchmarks.JavaScript;

/// <summary>
/// The sample's transformer through HTTP (a real Kestrel host with Needle on 127.0.0.1, one keep-alive client, a request
/// at a time) against the same loaded version of the same host, the same engines, called in process with no HTTP
/// (issue #18's "through HTTP vs the same Jint engine in-process" figure), and an endpoint of the same host that
/// answers a fixed body (what HTTP itself costs here, client included).
/// </summary>
[MemoryDiagnoser]
public class JavaScriptTransformerHttpBenchmarks
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "needle-bench-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private ILoadedFunction _function = null!;
    private FunctionRequest _request = null!;
    private DefaultHttpContext _http = null!;
    private IDownstreamClient _downstream = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The host's loaded version, called in process: context, rent, call, conversion, response write.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> InProcess()
    {
        _http.Response.Headers.Clear();
        using var context = InvocationContext.WithDeadline(_function.Version, NullLogger.Instance, _downstream, _function.Limits, _http);
        var response = await _function.InvokeAsync(_request, context);
        await ResponseWriter.WriteAsync(_http, response);
        return response.StatusCode;
    }

    /// <summary>The same version through Kestrel, routing, the endpoint and telemetry, and the client.</summary>
    [Benchmark]
    public async Task<int> ThroughHttp()
    {
        var body = await _client.GetByteArrayAsync("/fn/products?category=tools");
        return body.Length;
    }

    /// <summary>A fixed body from a plain endpoint of the same host: HTTP and the client alone.</summary>
    [Benchmark]
    public async Task<int> FixedBodyThroughHttp()
    {
        var body = await _client.GetByteArrayAsync("/fixed");
        return body.Length;
    }

    /// <summary>The host's address (for wrk in <see cref="TransformerThroughput"/>).</summary>
    public Uri Address => _client.BaseAddress!;

    /// <summary>A caller of its own (request, HTTP context) for one of several concurrent in-process workers.</summary>
    public Func<Task<int>> NewInProcessCaller()
    {
        var query = new QueryCollection(new Dictionary<string, StringValues> { ["category"] = "tools" });
        var request = new FunctionRequest { Method = "GET", Path = "/products", Query = query, RouteValues = new RouteValueDictionary(), Headers = new HeaderDictionary() };
        var http = new DefaultHttpContext();
        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        return async () =>
        {
            http.Response.Headers.Clear();
            using var context = InvocationContext.WithDeadline(_function.Version, NullLogger.Instance, _downstream, _function.Limits, http);
            var response = await _function.InvokeAsync(request, context);
            await ResponseWriter.WriteAsync(http, response);
            return response.StatusCode;
        };
    }

    /// <summary>A caller of Needle's endpoint handler in process (a new HTTP context per call, no Kestrel, no client).</summary>
    public Func<Task<int>> NewEndpointCaller()
    {
        var handler = _app.Services.GetRequiredService<FunctionEndpointHandler>();
        var slot = new FunctionSlot("products");
        slot.Set(_app.Services.GetRequiredService<Reconciler>().Snapshot.Functions["products"]);
        return async () =>
        {
            var http = new DefaultHttpContext();
            http.Request.Method = "GET";
            http.Request.Path = "/fn/products";
            http.Request.QueryString = new QueryString("?category=tools");
            http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
            await handler.HandleAsync(http, slot);
            return http.Response.StatusCode;
        };
    }

    private async Task SetupAsync()
    {
        Directory.CreateDirectory(_directory);
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddNeedle(o => o.UseSqlite($"Data Source={Path.Combine(_directory, "needle.db")}"));
        _app = builder.Build();
        _app.MapNeedle();
        _app.MapNeedleApi("/needle/api");
        _app.MapGet("/fixed", () => Results.Text("""{"count":0,"items":[]}""", "application/json"));
        await _app.StartAsync();

        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
        var manifest = JsonNode.Parse(File.ReadAllText(JavaScriptTransformerBenchmarks.SamplePath("transformer.json")))!;
        var source = File.ReadAllText(JavaScriptTransformerBenchmarks.SamplePath("transformer.js"));
        using (var deployed = await _client.PostAsJsonAsync("/needle/api/functions/products/versions", new { source, manifest }))
        {
            deployed.EnsureSuccessStatusCode();
        }

        _function = _app.Services.GetRequiredService<Reconciler>().Snapshot.Functions["products"].Stable.Function;
        _downstream = _app.Services.GetRequiredService<IDownstreamClient>();
        var query = new QueryCollection(new Dictionary<string, StringValues> { ["category"] = "tools" });
        _request = new FunctionRequest { Method = "GET", Path = "/products", Query = query, RouteValues = new RouteValueDictionary(), Headers = new HeaderDictionary() };
        _http = new DefaultHttpContext();
        _http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));

        // The first calls of each path (cold engine, connection) are not what is measured.
        await ThroughHttp();
        await InProcess();
    }
}
