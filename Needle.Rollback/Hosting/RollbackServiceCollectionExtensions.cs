using Hangfire;
using Hangfire.InMemory;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.ControlPlane;
using Needle.Hosting;
using Needle.Rollback.ControlPlane;
using Needle.Rollback.Guard;
using Needle.Rollback.Hosting;
using Needle.Rollback.Patches;
using Needle.Rollback.Plans;
using Needle.Rollback.Rollbacks;
using Needle.Rollback.State;
using Needle.Rollback.State.Postgres;
using Needle.Rollback.State.Sqlite;
using Needle.Rollback.Telemetry;
using Needle.Store;
using Needle.Telemetry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Needle.Rollback to the Needle builder.</summary>
public static class RollbackServiceCollectionExtensions
{
    /// <summary>
    /// Adds Hangfire-driven rollback, the canary guard, release plans and watched emergency patches. Jobs run on a
    /// Hangfire server of Needle's own (no global Hangfire configuration is touched) over storage that follows the Needle
    /// store: SQLite beside a SQLite store, the store's PostgreSQL database (schema <c>needle_jobs</c>) beside a PostgreSQL
    /// one, unless <see cref="RollbackOptions.UsePostgresStorage"/>, <see cref="RollbackOptions.UseSqliteStorage"/>,
    /// <see cref="RollbackOptions.UseInMemoryStorage"/> or <see cref="RollbackOptions.UseExistingHangfire"/> says otherwise.
    /// Core's <c>POST /functions/{name}/patches</c> and <c>POST /functions/{name}/rollback?async=true</c> become jobs (the
    /// <see cref="Needle.ControlPlane.IEmergencyActions"/> registration is replaced), and <c>MapNeedleApi</c> maps the
    /// plans, patch runs and guard endpoints beside its own. Safe to call more than once; each <paramref name="configure"/> applies.
    /// </summary>
    /// <param name="builder">The Needle builder from <c>AddNeedle</c>.</param>
    /// <param name="configure">Sets <see cref="RollbackOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static INeedleBuilder AddRollback(this INeedleBuilder builder, Action<RollbackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<RollbackOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollbackOptions>, RollbackOptionsValidator>());
        if (services.Any(s => s.ServiceType == typeof(RollbackMarkerService)))
        {
            return builder;
        }

        services.AddSingleton<RollbackMarkerService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INeedleApiContributor, RollbackApiEndpoints>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RollbackMetrics>();
        services.TryAddSingleton(sp => new RequestHealthSource(sp.GetRequiredService<TimeProvider>()));

        // Core hands every invocation to its observers with the version it really invoked: nothing a function writes.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInvocationObserver, RequestHealthSource>(sp => sp.GetRequiredService<RequestHealthSource>()));
        // With AddObservability the guard reads the cluster's health windows (every live node's counts added up, the
        // numbers the API, console and Grafana show); without it, this node's own response counts.
        services.TryAddSingleton<ICanaryHealthSource>(sp => sp.GetService<Needle.Observability.Health.INeedleClusterHealth>() is { } cluster
            ? new ClusterHealthSource(cluster)
            : sp.GetRequiredService<RequestHealthSource>());
        services.TryAddSingleton(CreateStateStore);
        services.TryAddSingleton(CreateJobs);
        services.TryAddSingleton<CanaryGuard>();
        services.TryAddSingleton<ReleasePlanner>();
        services.TryAddSingleton<PatchRunner>();
        services.TryAddSingleton<RollbackRequests>();

        // Core's patch and rollback endpoints stay; the work behind them becomes jobs.
        services.Replace(ServiceDescriptor.Singleton<IEmergencyActions, JobEmergencyActions>());
        services.TryAddTransient<RollbackJob>();
        services.TryAddTransient<GuardCheckJob>();
        services.TryAddTransient<ReleasePlanJob>();
        services.TryAddTransient<PatchJob>();

        // The Hangfire dashboard looks these up. They are registered, not changed: no global configuration is touched.
        services.TryAddSingleton(_ => Hangfire.Dashboard.DashboardRoutes.Routes);
        services.TryAddSingleton<IGlobalConfiguration>(_ => GlobalConfiguration.Configuration);
        services.AddHostedService(sp => sp.GetRequiredService<CanaryGuard>());
        services.AddHostedService<RollbackHostedService>();
        return builder;
    }

    // Plans and patch runs live in the Needle store's own database, so a cluster on PostgreSQL shares them.
    private static IRollbackStateStore CreateStateStore(IServiceProvider services)
    {
        var time = services.GetRequiredService<TimeProvider>();
        return services.GetRequiredService<INeedleStore>().Database switch
        {
            { Provider: NeedleDatabase.Sqlite } sqlite => new SqliteRollbackStateStore(sqlite.ConnectionString, time),
            { Provider: NeedleDatabase.Postgres } postgres => new PostgresRollbackStateStore(postgres.ConnectionString, time),
            var other => throw new InvalidOperationException(
                $"Needle.Rollback keeps release plans and patch runs in the Needle store's database, on SQLite or PostgreSQL; the configured store's database is '{other?.Provider ?? "none"}'."),
        };
    }

    private static RollbackJobs CreateJobs(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RollbackOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<RollbackJobs>>();
        if (options.Storage == RollbackStorage.Existing)
        {
            var existing = services.GetService<JobStorage>()
                ?? throw new InvalidOperationException("UseExistingHangfire() needs the host's Hangfire: call 'services.AddHangfire(...)' and 'AddHangfireServer()'.");
            return new RollbackJobs(
                existing,
                services.GetService<IBackgroundJobClient>() ?? new BackgroundJobClient(existing),
                services.GetService<IRecurringJobManager>() ?? new RecurringJobManager(existing),
                ownsStorage: false,
                logger);
        }

        var database = services.GetRequiredService<INeedleStore>().Database;
        JobStorage storage = options.Storage switch
        {
            RollbackStorage.InMemory => new InMemoryStorage(),
            RollbackStorage.Postgres => RollbackPostgresStorage.Create(options, database),
            RollbackStorage.Automatic when database is { Provider: NeedleDatabase.Postgres } => RollbackPostgresStorage.Create(options, database),
            _ => new SQLiteStorage(SqlitePath(services, options), new SQLiteStorageOptions { QueuePollInterval = options.QueuePollInterval }),
        };
        return new RollbackJobs(storage, new BackgroundJobClient(storage), new RecurringJobManager(storage), ownsStorage: true, logger);
    }

    private static string SqlitePath(IServiceProvider services, RollbackOptions options)
    {
        if (options.SqlitePath is { } path)
        {
            return Path.GetFullPath(path, services.GetService<IWebHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory);
        }

        var root = services.GetService<IWebHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
        if (services.GetRequiredService<INeedleStore>().Database is { Provider: NeedleDatabase.Sqlite } database
            && new SqliteConnectionStringBuilder(database.ConnectionString).DataSource is { Length: > 0 } dataSource
            && !dataSource.StartsWith(':'))
        {
            root = Path.GetDirectoryName(Path.GetFullPath(dataSource, root)) ?? root;
        }

        return Path.Combine(root, "needle-jobs.db");
    }
}
