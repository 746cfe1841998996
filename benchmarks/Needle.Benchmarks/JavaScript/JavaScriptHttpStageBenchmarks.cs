using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Needle.Releases;
using Needle.Routing;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Serving;
using Needle.Telemetry;

namespace Needle.Benchmarks.JavaScript;

/// <summary>
/// The outer stages of issue #18's stage table, on one real host (Kestrel on 127.0.0.1, <c>AddNeedle</c> on a temporary
/// SQLite file, the sample's hello and aggregator deployed through the API, their native forms as minimal-API endpoints
/// and the mock backend's two answers as endpoints of the same host): each form through HTTP (one keep-alive client, a
/// request at a time, client included), Needle's endpoint handler called in process (everything of a request but
/// Kestrel, routing and the client), the function call alone, and the aggregator's downstream calls alone.
/// </summary>
[MemoryDiagnoser]
public class JavaScriptHttpStageBenchmarks
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "needle-bench-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private HttpClient _backend = null!;
    private FunctionEndpointHandler _handler = null!;
    private FunctionSlot _helloSlot = null!;
    private FunctionSlot _aggregatorSlot = null!;
    private ILoadedFunction _hello = null!;
    private IDownstreamClient _downstream = null!;
    private InvocationRecorder _recorder = null!;
    private FunctionRequest _helloRequest = null!;
    private DefaultHttpContext _http = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _backend.Dispose();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Native hello through HTTP: Kestrel, routing, the minimal-API handler and its JSON, the client.</summary>
    [Benchmark(Baseline = true)]
    public Task<byte[]> HelloNativeHttp() => _client.GetByteArrayAsync("/native/hello?name=Ada");

    /// <summary>Needle's hello through HTTP.</summary>
    [Benchmark]
    public Task<byte[]> HelloNeedleHttp() => _client.GetByteArrayAsync("/fn/hello?name=Ada");

    /// <summary>Needle's endpoint handler in process: release choice, headers, context, watchdog, span, call, telemetry, write.</summary>
    [Benchmark]
    public Task HelloEndpointHandler()
    {
        var http = NewHttpContext("/fn/hello", "?name=Ada", null);
        return _handler.HandleAsync(http, _helloSlot);
    }

    /// <summary>The function call and the response write alone (context, rent, call, conversion, write).</summary>
    [Benchmark]
    public async Task<int> HelloInvokeAndWrite()
    {
        _http.Response.Headers.Clear();
        using var context = InvocationContext.WithDeadline(_hello.Version, NullLogger.Instance, _downstream, _hello.Limits, _http);
        var response = await _hello.InvokeAsync(_helloRequest, context);
        await ResponseWriter.WriteAsync(_http, response);
        return response.StatusCode;
    }

    /// <summary>Telemetry of one call: its span (none without a listener), the watchdog's section, the recorder.</summary>
    [Benchmark]
    public void HelloTelemetry()
    {
        using var activity = NeedleActivities.StartInvocation(_hello.Version, ReleaseRole.Stable, _http);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _recorder.Record(_hello.Version, ReleaseRole.Stable, InvocationOutcome.Success, started, activity, null, false, 200);
    }

    /// <summary>Native aggregator through HTTP: two parallel downstream calls through IHttpClientFactory, JSON, the client.</summary>
    [Benchmark]
    public Task<byte[]> AggregatorNativeHttp() => _client.GetByteArrayAsync("/native/profile/9");

    /// <summary>Needle's aggregator through HTTP.</summary>
    [Benchmark]
    public Task<byte[]> AggregatorNeedleHttp() => _client.GetByteArrayAsync("/fn/profile/9");

    /// <summary>Needle's aggregator endpoint in process (its two fetches go over HTTP to the host's backend endpoints).</summary>
    [Benchmark]
    public Task AggregatorEndpointHandler()
    {
        var http = NewHttpContext("/fn/profile/9", "", new RouteValueDictionary { ["id"] = "9" });
        return _handler.HandleAsync(http, _aggregatorSlot);
    }

    /// <summary>The native aggregator's two downstream calls alone, read as JSON (what both forms pay to the backend).</summary>
    [Benchmark]
    public async Task<int> AggregatorNativeFetchesOnly()
    {
        var user = _backend.GetFromJsonAsync<JsonObject>("users/9");
        var orders = _backend.GetFromJsonAsync<JsonArray>("users/9/orders");
        await Task.WhenAll(user, orders);
        return (await orders)!.Count;
    }

    private static DefaultHttpContext NewHttpContext(string path, string query, RouteValueDictionary? routeValues)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = path;
        http.Request.QueryString = new QueryString(query);
        if (routeValues is not null)
        {
            http.Request.RouteValues = routeValues;
        }

        http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        return http;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task SetupAsync()
    {
        Directory.CreateDirectory(_directory);
        var address = new Uri($"http://127.0.0.1:{FreePort()}/");
        var backend = new Uri(address, "backend/");
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(address.ToString());
        builder.Services.AddNeedle(o => o.UseSqlite($"Data Source={Path.Combine(_directory, "needle.db")}")).AddDownstream("backend", backend);
        builder.Services.AddHttpClient("native-backend", c => c.BaseAddress = backend);
        _app = builder.Build();
        _app.MapNeedle();
        _app.MapNeedleApi("/needle/api");
        MapNative(_app);
        await _app.StartAsync();

        _client = new HttpClient { BaseAddress = address };
        _backend = new HttpClient { BaseAddress = backend };
        await DeployAsync("hello");
        await DeployAsync("aggregator");

        var snapshot = _app.Services.GetRequiredService<Reconciler>().Snapshot;
        _helloSlot = new FunctionSlot("hello");
        _helloSlot.Set(snapshot.Functions["hello"]);
        _aggregatorSlot = new FunctionSlot("aggregator");
        _aggregatorSlot.Set(snapshot.Functions["aggregator"]);
        _hello = snapshot.Functions["hello"].Stable.Function;
        _handler = _app.Services.GetRequiredService<FunctionEndpointHandler>();
        _recorder = _app.Services.GetRequiredService<InvocationRecorder>();
        _downstream = _app.Services.GetRequiredService<IDownstreamClient>();
        var query = new QueryCollection(new Dictionary<string, StringValues> { ["name"] = "Ada" });
        _helloRequest = new FunctionRequest { Method = "GET", Path = "/hello", Query = query, RouteValues = new RouteValueDictionary(), Headers = new HeaderDictionary() };
        _http = NewHttpContext("/fn/hello", "?name=Ada", null);

        // The first calls of each path (cold engines, connections) are not what is measured.
        await HelloNeedleHttp();
        await AggregatorNeedleHttp();
        await AggregatorNativeHttp();
        await AggregatorEndpointHandler();
        await HelloEndpointHandler();
    }

    private async Task DeployAsync(string name)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(JavaScriptTransformerBenchmarks.SamplePath(name + ".json")))!;
        var source = File.ReadAllText(JavaScriptTransformerBenchmarks.SamplePath(name + ".js"));
        using var deployed = await _client.PostAsJsonAsync($"/needle/api/functions/{name}/versions", new { source, manifest });
        deployed.EnsureSuccessStatusCode();
    }

    private static void MapNative(WebApplication app)
    {
        // benchmarks/Needle.Benchmarks.Host/Native: the same two endpoints, and the mock backend's JSON for id 9.
        app.MapGet("/native/hello", (HttpRequest request) =>
            new Greeting($"Hello, {(request.Query.TryGetValue("name", out var name) ? name.ToString() : "world")}!"));
        app.MapGet("/native/profile/{id}", async (string id, IHttpClientFactory clients, CancellationToken cancellationToken) =>
        {
            var client = clients.CreateClient("native-backend");
            var userCall = client.GetFromJsonAsync<User>($"users/{id}", cancellationToken);
            var ordersCall = client.GetFromJsonAsync<Order[]>($"users/{id}/orders", cancellationToken);
            await Task.WhenAll(userCall, ordersCall);
            var user = (await userCall)!;
            var orders = (await ordersCall)!;
            var total = orders.Sum(o => o.Amount);
            return new
            {
                id = user.Id,
                name = user.Name,
                tier = user.Tier,
                orders = new { count = orders.Length, open = orders.Count(o => o.Status == "open"), total = Math.Round(total * 100) / 100 },
                recent = orders.TakeLast(3).Reverse().Select(o => new { id = o.Id, amount = o.Amount }).ToArray(),
            };
        });
        app.MapGet("/backend/users/{id:int}", (int id) => new User(id, $"User {id}", id % 3 == 0 ? "gold" : "standard"));
        app.MapGet("/backend/users/{id:int}/orders", (int id) =>
            Enumerable.Range(1, 1 + (id % 7)).Select(n => new Order((id * 100) + n, Math.Round((9.5 * n) + (id % 11), 2), n % 2 == 0 ? "shipped" : "open")).ToArray());
    }

    private sealed record Greeting(string Message);

    private sealed record User(int Id, string Name, string Tier);

    private sealed record Order(int Id, double Amount, string Status);
}
