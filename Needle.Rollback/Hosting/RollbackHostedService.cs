using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Rollback.Guard;
using Needle.Rollback.Plans;
using Needle.Rollback.Telemetry;

namespace Needle.Rollback.Hosting;

/// <summary>
/// Starts Needle.Rollback's Hangfire server on its own storage (unless the host's Hangfire runs the jobs), registers the
/// recurring <c>needle-guard</c> job and resumes release plans that are due. Registered after <c>AddNeedle</c>'s
/// reconciler, so the store and its migrations are in place first.
/// </summary>
internal sealed class RollbackHostedService(
    RollbackJobs jobs,
    ReleasePlanner planner,
    IServiceScopeFactory scopes,
    IOptions<RollbackOptions> options,
    IOptions<NeedleOptions> needleOptions,
    ILogger<RollbackHostedService> logger) : IHostedService, IDisposable
{
    private BackgroundJobServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var rollback = options.Value;
        if (rollback.Storage != RollbackStorage.Existing)
        {
            _server = new BackgroundJobServer(
                new BackgroundJobServerOptions
                {
                    ServerName = $"needle-{needleOptions.Value.NodeId}-{Environment.ProcessId}",
                    WorkerCount = rollback.WorkerCount,
                    SchedulePollingInterval = rollback.SchedulePollingInterval,
                    Activator = new AspNetCoreJobActivator(scopes),
                },
                jobs.Storage);
        }

        try
        {
            jobs.Recurring.AddOrUpdate<GuardCheckJob>(GuardCheckJob.RecurringId, j => j.RunAsync(CancellationToken.None), rollback.GuardCron);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The host must start without its job storage: the guard's own loop and synchronous rollbacks need none.
            RollbackLog.QueueUnavailable(logger, ex, "the needle-guard backstop registration");
        }

        await planner.ResumeDueAsync(null, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            server.SendStop();
            await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _server?.Dispose();
}
