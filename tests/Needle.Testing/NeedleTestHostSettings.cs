using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Needle.Hosting;

namespace Needle.Testing;

/// <summary>How <see cref="NeedleTestHost"/> starts a host. Every hook is optional.</summary>
public sealed class NeedleTestHostSettings
{
    /// <summary>An existing folder for the store (kept after the host stops, e.g. to restart on it). Default: a new temporary folder, deleted on dispose.</summary>
    public string? Directory { get; init; }

    /// <summary>Delete <see cref="Directory"/> when the host is disposed, as a temporary folder is. Default: false.</summary>
    public bool OwnsDirectory { get; init; }

    /// <summary>Names the temporary folder's parent, <c>{temp}/{purpose}/</c>. Default: <c>needle-tests</c>.</summary>
    public string Purpose { get; init; } = "needle-tests";

    /// <summary>The node's id. Default: <c>test-node</c>.</summary>
    public string NodeId { get; init; } = "test-node";

    /// <summary>
    /// Choose the port before the host starts (the address must be known to set up the host, e.g. a downstream service
    /// that is the host itself), retrying when another process takes it first. Default: false (Kestrel picks a port).
    /// </summary>
    public bool ChoosePortFirst { get; init; }

    /// <summary>The lowest level of the host's logging (its own providers are cleared). Default: <see cref="LogLevel.Warning"/>.</summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;

    /// <summary>How long a call through <see cref="NeedleTestHost.Client"/> may take. Default: 60 s.</summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The reason <see cref="NeedleTestHost.DeployAsync"/> records. Default: none.</summary>
    public string? DeployReason { get; init; }

    /// <summary>Configuration added to the host's (in-memory).</summary>
    public IReadOnlyDictionary<string, string?>? Configuration { get; init; }

    /// <summary>Runs before <c>AddNeedle</c> (services Needle must find registered, such as a <see cref="TimeProvider"/>).</summary>
    public Action<WebApplicationBuilder>? BeforeNeedle { get; init; }

    /// <summary>Sets Needle's options after the store and node id are set.</summary>
    public Action<NeedleOptions>? Options { get; init; }

    /// <summary>Extends Needle's builder (observability, rollback, watched folder ...); gets the host's address too.</summary>
    public Action<INeedleBuilder, Uri>? Needle { get; init; }

    /// <summary>Runs after Needle is added, before the app is built.</summary>
    public Action<WebApplicationBuilder>? Host { get; init; }

    /// <summary>Middleware, before any endpoint is mapped.</summary>
    public Action<WebApplication>? Pipeline { get; init; }

    /// <summary>More endpoints after <c>MapNeedle()</c> and <c>MapNeedleApi("/needle/api")</c>; gets the API's group.</summary>
    public Action<WebApplication, RouteGroupBuilder>? Map { get; init; }
}
