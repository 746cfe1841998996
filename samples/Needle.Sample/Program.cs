// An ordinary ASP.NET Core app that embeds Needle. Its own endpoints (/ and /backend/...) live beside the
// functions Needle serves under /fn, the control plane under /needle/api and the console under /needle.
using Needle.Sample;

var builder = WebApplication.CreateBuilder(args);

// http://127.0.0.1:5080 unless --urls, ASPNETCORE_URLS or Urls in configuration says otherwise.
var listenOn = SampleAddresses.ListenUrl(builder.Configuration);
builder.WebHost.UseUrls(listenOn);

// The store: PostgreSQL when ConnectionStrings:NeedlePostgres is set (a cluster: every node on one database, changes
// reach the others within milliseconds), otherwise SQLite in needle.db (or ConnectionStrings:Needle).
var postgres = builder.Configuration.GetConnectionString("NeedlePostgres");
var needle = builder.Services.AddNeedle(o =>
    {
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            // Needle:Notifications false leaves only the poll (samples/cluster/run.sh and the convergence benchmark).
            o.UsePostgres(postgres, p => p.Notifications = builder.Configuration.GetValue("Needle:Notifications", true));
        }
        else
        {
            o.UseSqlite(builder.Configuration.GetConnectionString("Needle") ?? "Data Source=needle.db");
        }

        // How often the node reads the store for changes made elsewhere (the fallback to notifications), e.g. 00:00:00.500.
        o.PollInterval = builder.Configuration.GetValue("Needle:PollInterval", o.PollInterval);
        o.WatchDebounce = builder.Configuration.GetValue("Needle:WatchDebounce", o.WatchDebounce);
    })
    .WatchDirectory(builder.Configuration["Needle:FunctionsPath"] ?? "functions")

    // Needle:CSharp:WarmUp false skips compiling a throwaway C# function at start (the cluster tests' nodes deploy none).
    .AddCSharpFunctions(o => o.WarmUp = builder.Configuration.GetValue("Needle:CSharp:WarmUp", o.WarmUp))
    .AddObservability()

    // The in-process backend below, reached on the address this host listens on (or Needle:Backend when set).
    .AddDownstream("backend", SampleAddresses.Backend(builder.Configuration, listenOn),
        client => client.ConfigureHttpClient((services, http) => http.BaseAddress = SampleAddresses.Bound(services, http.BaseAddress!)));

// Rollback jobs, the canary guard, release plans and watched emergency patches. Their jobs and state follow the store:
// needle-jobs.db beside needle.db on SQLite; on PostgreSQL the store's database (schema needle_jobs), shared by every
// node, so each plan step and each backstop run happens once per cluster. Needle:Rollback in configuration sets the
// options (GuardCron, QueuePollInterval, DistributedLockTimeout, Guard:..., ...).
needle.AddRollback(o => builder.Configuration.GetSection("Needle:Rollback").Bind(o));

needle.AddConsole();

builder.Services.AddHealthChecks().AddNeedle();

var app = builder.Build();

app.MapGet("/", () => Results.Text(
    "Needle sample host. Try /fn/hello?name=you, /fn/profile/7, /fn/products?category=tools, /needle/api/functions, /needle/api/health, /metrics, /healthz, /hangfire and the console at /needle.\n"));

// A small downstream service, in-process, that the functions reach by name ("backend").
app.MapBackend("/backend");

app.MapNeedle();
app.MapNeedleApi();                      // includes /needle/api/health (the health windows)
app.MapPrometheusScrapingEndpoint();     // /metrics
app.MapHealthChecks("/healthz");

// Hangfire's dashboard over Needle's jobs: local requests only (Hangfire's default authorization).
app.MapNeedleJobsDashboard("/hangfire");

app.MapNeedleConsole("/needle"); // the operations console: http://127.0.0.1:5080/needle

app.Run();

/// <summary>The sample host's entry point, public so tests can start it.</summary>
public partial class Program;
