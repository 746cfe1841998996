using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.ControlPlane;
using Needle.Functions;
using Needle.Hosting;
using Needle.Nodes;
using Needle.Routing;
using Needle.Runtime;
using Needle.Runtime.CSharp;
using Needle.Runtime.Downstream;
using Needle.Runtime.JavaScript;
using Needle.Serving;
using Needle.Store;
using Needle.Store.Postgres;
using Needle.Store.Sqlite;
using Needle.Telemetry;
using Needle.Watching;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Needle in an ASP.NET Core host.</summary>
public static class NeedleServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Needle runtime: the store (SQLite by default), the JavaScript and C# runtimes, function routing and the
    /// control plane. Safe to call more than once; each call's <paramref name="configure"/> is applied.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets <see cref="NeedleOptions"/>, for example <c>o =&gt; o.UseSqlite("Data Source=needle.db")</c>.</param>
    /// <returns>A builder for the other Needle packages and for <c>AddDownstream</c> / <c>WatchDirectory</c>.</returns>
    public static INeedleBuilder AddNeedle(this IServiceCollection services, Action<NeedleOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<NeedleOptions>();
        if (!services.Any(s => s.ServiceType == typeof(NeedleMarkerService)))
        {
            // Configuration first, so that what the host sets in code wins.
            options.Configure<IServiceProvider>(static (o, sp) =>
            {
                if (sp.GetService<Microsoft.Extensions.Configuration.IConfiguration>()?["Needle:NodeId"] is { Length: > 0 } nodeId)
                {
                    o.NodeId = nodeId;
                }
            });
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NeedleOptions>, NeedleOptionsValidator>());
        services.AddOptions<CSharpFunctionOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CSharpFunctionOptions>, CSharpFunctionOptionsValidator>());
        if (services.Any(s => s.ServiceType == typeof(NeedleMarkerService)))
        {
            return new NeedleBuilder(services);
        }

        services.AddSingleton<NeedleMarkerService>();
        services.AddHttpClient();
        services.AddMetrics();
        services.TryAddSingleton<NeedleMetrics>();
        services.TryAddSingleton<INeedleServingState, ServingStateView>();
        services.AddOpenApi(NeedleApiEndpoints.GroupName, o =>
        {
            o.ShouldInclude = d => d.GroupName == NeedleApiEndpoints.GroupName;
            o.AddDocumentTransformer<Needle.ControlPlane.OpenApi.NeedleOpenApiDocumentTransformer>();
            o.AddOperationTransformer<Needle.ControlPlane.OpenApi.NeedleOpenApiOperationTransformer>();
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<INeedleStore>(CreateStore);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFunctionRuntime, JavaScriptRuntime>(CreateJavaScriptRuntime));
        services.TryAddSingleton(CreateCSharpRuntime);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFunctionRuntime, CSharpRuntime>(s => s.GetRequiredService<CSharpRuntime>()));
        services.TryAddSingleton<RuntimeRegistry>();
        services.TryAddSingleton<IDownstreamClient, DownstreamClient>();
        services.TryAddSingleton(static sp => new FunctionSecrets(sp.GetService<Microsoft.Extensions.Configuration.IConfiguration>(), sp.GetRequiredService<ILogger<FunctionSecrets>>()));
        services.TryAddSingleton<InvocationRecorder>();
        services.TryAddSingleton<InvocationWatchdog>();
        services.TryAddSingleton<StuckInvocationAnswer>();
        services.TryAddSingleton<FunctionEndpointHandler>();
        services.TryAddSingleton<NeedleEndpointDataSource>();
        services.TryAddSingleton<VersionLoader>();
        services.TryAddSingleton<VersionCache>();
        services.TryAddSingleton<ReleaseLoader>();
        services.TryAddSingleton<NodeReporter>();
        services.TryAddSingleton<INeedleNodes, NeedleNodes>();
        services.TryAddSingleton<Reconciler>();
        services.TryAddSingleton<StoreChangeSignal>();
        services.TryAddSingleton(static sp => new StoreAvailability(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<NeedleOptions>>().Value.Postgres?.UnavailableProbeInterval ?? TimeSpan.FromSeconds(2)));
        services.TryAddSingleton<Needle.Store.Postgres.StoreListenerStatus>();
        services.TryAddSingleton<ChangeGate>();
        services.TryAddSingleton<ReleaseRouter>();
        services.TryAddSingleton<DeploymentService>();
        services.TryAddSingleton<TestInvocationService>();
        services.TryAddSingleton<Needle.Quality.TestCaseRunner>();
        services.TryAddSingleton<Needle.Quality.TestRunCache>();
        services.TryAddSingleton<Needle.Quality.QualityGate>();
        services.TryAddSingleton<Needle.Quality.TestSkipRecorder>();
        services.TryAddSingleton<ReleaseService>();
        services.TryAddSingleton<Needle.Patching.PatchService>();
        services.TryAddSingleton<Needle.Releases.INeedleReleases, Needle.Releases.NeedleReleases>();
        services.TryAddSingleton<IEmergencyActions, SynchronousEmergencyActions>();
        services.TryAddSingleton<Needle.Access.LocalRequestRule>();
        services.TryAddSingleton<ApiAccessFilter>();
        services.AddHostedService<CSharpWarmUpService>();
        services.AddHostedService<ReconcilerService>();
        services.AddHostedService<NodeHeartbeatService>();
        services.AddHostedService(CreateChangeListener);
        services.AddHostedService<FolderWatcher>();
        services.AddHostedService(static sp => sp.GetRequiredService<InvocationWatchdog>());
        return new NeedleBuilder(services);
    }

    /// <summary>
    /// Registers a downstream service that functions reach with <c>ctx.fetch("http://{name}/path")</c>, backed by a
    /// named <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/>. A function may call it only when its
    /// manifest lists it in <c>services</c>. Every fetch stays under <paramref name="baseAddress"/> (scheme, host, port
    /// and path); redirects are followed by Needle, only while they stay under it. The client's own
    /// <see cref="HttpClient.Timeout"/> is infinite: each fetch ends at its invocation's deadline.
    /// </summary>
    /// <param name="builder">The Needle builder.</param>
    /// <param name="name">The service name, as functions write it in URLs.</param>
    /// <param name="baseAddress">Where the service is; paths in function URLs are relative to it.</param>
    /// <param name="configureClient">Configures the named client further: handlers, resilience, default headers.</param>
    /// <returns>The builder.</returns>
    public static INeedleBuilder AddDownstream(this INeedleBuilder builder, string name, Uri baseAddress, Action<IHttpClientBuilder>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (Uri.CheckHostName(name) != UriHostNameType.Dns)
        {
            throw new ArgumentException($"'{name}' cannot stand as the host of a URL; use letters, digits and '-'.", nameof(name));
        }

        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        builder.Services.Configure<NeedleOptions>(o => o.DownstreamServices.Add(name));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, DownstreamRedirectFilter>());
        var client = builder.Services.AddHttpClient(DownstreamClient.ClientNamePrefix + name, client =>
        {
            client.BaseAddress = root;

            // Every fetch runs under its invocation's deadline token; HttpClient's own 100 s timeout would only add a
            // timer per request. A host that wants a shorter one sets it in configureClient.
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        configureClient?.Invoke(client);
        return builder;
    }

    /// <summary>
    /// Deploys the <c>*.js</c> (JavaScript) and <c>*.cs</c> (C#) files of a directory (with an optional <c>name.json</c> manifest beside each) at start
    /// and whenever they change. A failed deploy is logged and recorded in the audit log; the last good version keeps serving.
    /// </summary>
    /// <param name="builder">The Needle builder.</param>
    /// <param name="path">The directory; relative paths are resolved against the content root.</param>
    /// <returns>The builder.</returns>
    public static INeedleBuilder WatchDirectory(this INeedleBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Services.AddOptions<NeedleOptions>().Configure<IHostEnvironment>((o, env) =>
            o.WatchDirectories.Add(Path.GetFullPath(path, env.ContentRootPath)));
        return builder;
    }

    private static INeedleStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<NeedleOptions>>().Value;
        if (options.StoreFactory is not null)
        {
            return options.StoreFactory(services);
        }

        var root = services.GetService<IWebHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
        return new SqliteNeedleStore($"Data Source={Path.Combine(root, "needle.db")}", services.GetRequiredService<TimeProvider>());
    }

    private static PostgresChangeListener CreateChangeListener(IServiceProvider services)
    {
        var signal = services.GetRequiredService<StoreChangeSignal>();
        return new PostgresChangeListener(
            services.GetRequiredService<IOptions<NeedleOptions>>().Value,
            signal.Announce,
            signal.RequestResync,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<PostgresChangeListener>>(),
            services.GetRequiredService<StoreAvailability>(),
            services.GetRequiredService<Needle.Store.Postgres.StoreListenerStatus>());
    }

    private static CSharpRuntime CreateCSharpRuntime(IServiceProvider services) =>
        new(
            services.GetRequiredService<IOptions<CSharpFunctionOptions>>().Value,
            services.GetRequiredService<INeedleStore>(),
            services.GetRequiredService<IOptions<NeedleOptions>>().Value.QueueTimeout,
            services.GetRequiredService<ILoggerFactory>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<NeedleMetrics>());

    private static JavaScriptRuntime CreateJavaScriptRuntime(IServiceProvider services) =>
        new(
            services.GetRequiredService<ILoggerFactory>(),
            services.GetRequiredService<IOptions<NeedleOptions>>().Value.QueueTimeout,
            services.GetRequiredService<NeedleMetrics>(),
            services.GetRequiredService<IOptions<NeedleOptions>>().Value.JavaScript);
}
