using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Needle.Hosting;
using Needle.Rollback.Guard;
using Needle.Rollback.Hosting;

namespace Needle.Rollback.Tests.Infrastructure;

/// <summary>
/// A real host (see <see cref="NeedleTestHost"/>) with Needle.Rollback: Hangfire in memory with a real server (unless
/// <c>jobsInMemory: false</c> leaves the storage to the options), a fake clock; the Needle store on SQLite, or on the
/// PostgreSQL database <c>postgres</c> names (with <c>postgresOptions</c> for the listener and timeouts).
/// </summary>
internal sealed class RollbackTestHost : NeedleTestHost
{
    public const string Source = "export default (req, ctx) => ({ ok: true, v: 1 });\n";
    public static readonly object Manifest = new { route = "/orders", methods = new[] { "GET" } };

    private RollbackTestHost(StartedHost started, FakeTimeProvider time)
        : base(started) => Time = time;

    public FakeTimeProvider Time { get; }

    public RequestHealthSource Health => Services.GetRequiredService<RequestHealthSource>();

    public static async Task<RollbackTestHost> StartAsync(
        Action<RollbackOptions>? configure = null,
        string? directory = null,
        FakeTimeProvider? time = null,
        ICanaryHealthSource? health = null,
        bool queueDown = false,
        Action<IServiceCollection>? services = null,
        bool observability = false,
        string? postgres = null,
        bool jobsInMemory = true,
        string nodeId = "test-node",
        Action<PostgresStoreOptions>? postgresOptions = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var started = await LaunchAsync(new NeedleTestHostSettings
        {
            Directory = directory,
            NodeId = nodeId,
            Purpose = "needle-rollback-tests",
            ClientTimeout = TimeSpan.FromSeconds(90), // a cold host's first deploy on a loaded 2-core machine took over 30 s
            BeforeNeedle = builder => AddTestServices(builder.Services, time, health, queueDown, services),
            Options = postgres is null ? null : o => o.UsePostgres(postgres, postgresOptions),
            Needle = (needle, _) =>
            {
                if (observability)
                {
                    // Published at every tick of the (fake) clock's 200 ms, so hosts on one store see each other's counts at once.
                    needle.AddObservability(o => o.HealthPublishInterval = TimeSpan.FromMilliseconds(200));
                }

                needle.AddRollback(o =>
                {
                    if (jobsInMemory)
                    {
                        o.UseInMemoryStorage();
                    }

                    o.SchedulePollingInterval = TimeSpan.FromMilliseconds(200);
                    o.QueuePollInterval = TimeSpan.FromMilliseconds(100);

                    // The needle-guard backstop runs on the real clock's minute: left on, it judged canaries (and resumed
                    // patch watches) between a test's Feed and its own EvaluateAllAsync, counting a breach twice. It is
                    // still registered; tests of the backstop run GuardCheckJob themselves.
                    o.GuardCron = Hangfire.Cron.Never();
                    configure?.Invoke(o);
                });
            },
            Map = (app, _) => app.MapNeedleJobsDashboard(),
        });
        return new RollbackTestHost(started, time);
    }

    private static void AddTestServices(IServiceCollection services, FakeTimeProvider time, ICanaryHealthSource? health, bool queueDown, Action<IServiceCollection>? more)
    {
        services.AddSingleton<TimeProvider>(time);
        if (health is not null)
        {
            services.AddSingleton(health);
        }

        more?.Invoke(services);
        if (queueDown)
        {
            var down = new UnavailableJobStorage();
            services.AddSingleton(sp => new RollbackJobs(down, new Hangfire.BackgroundJobClient(down), new Hangfire.RecurringJobManager(down), ownsStorage: false, sp.GetRequiredService<ILogger<RollbackJobs>>()));
        }
    }

    /// <summary>Deploys <c>orders</c> version 1 and returns its content hash.</summary>
    public async Task<string> DeployOrdersAsync(string source = Source) =>
        (await Client.DeployAsync("orders", source, Manifest))["contentHash"]!.GetValue<string>();

    /// <summary>Deploys a new version of <c>orders</c> without activating it; returns its number.</summary>
    public async Task<int> DeployInactiveAsync(string source) =>
        (await Client.DeployAsync("orders", source, Manifest, activate: false))["version"]!.GetValue<int>();

    public async Task<JsonNode> ReleaseAsync() =>
        (await Client.GetFromJsonAsync<JsonNode>("/needle/api/functions/orders"))!["function"]!["release"]!;

    public async Task<int> VersionCountAsync() => (await Api.GetFunctionAsync("orders")).Versions.Count;
}
