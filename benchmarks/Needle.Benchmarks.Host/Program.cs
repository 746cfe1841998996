// The load-benchmark host: on one Kestrel port it serves the three sample functions twice, as native minimal-API
// endpoints under /native and as Needle functions (Jint) under /fn, plus the control plane for the deploy-latency run,
// and under /floor the rungs between native and Needle's hello (Floor/HelloFloors.cs, benchmarks/load/ladder.sh).
using System.Net;
using Needle.Benchmarks.Host;
using Needle.Benchmarks.Host.Floor;
using Needle.Benchmarks.Host.Native;

var builder = WebApplication.CreateBuilder(args);
var settings = BenchmarkHostSettings.From(builder.Configuration);

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, settings.Port));

// AddDownstream returns the HttpClient builder, so it comes last in the chain.
var needle = builder.Services.AddNeedle(o =>
    {
        o.UseSqlite($"Data Source={settings.DatabasePath}");

        // --max-calls-per-engine N: how many calls a JavaScript engine serves before it is replaced (Needle's default otherwise).
        if (builder.Configuration["max-calls-per-engine"] is { } maxCalls)
        {
            o.JavaScript.MaxCallsPerEngine = int.Parse(maxCalls, System.Globalization.CultureInfo.InvariantCulture);
        }
    })
    .WatchDirectory(settings.FunctionsPath);
if (settings.Observability)
{
    // Metrics, traces and health windows on the request path, as the sample host runs them (benchmarks/load/observability.sh).
    needle.AddObservability(o => o.AspNetCoreInstrumentation = settings.Instrumentation);
}

needle.AddDownstream("backend", settings.BackendUrl);
builder.Services.AddNativeFunctions(settings.BackendUrl);

var app = builder.Build();
app.Lifetime.ApplicationStopped.Register(settings.DeleteDatabase);

app.MapNativeFunctions("/native");
app.MapHelloFloors("/floor", settings.FunctionsPath);
app.MapNeedle();
app.MapNeedleApi();
if (settings.Observability)
{
    app.MapPrometheusScrapingEndpoint();
}

app.Run();
