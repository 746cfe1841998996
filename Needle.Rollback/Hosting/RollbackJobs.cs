using System.Linq.Expressions;
using Hangfire;
using Microsoft.Extensions.Logging;
using Needle.Rollback.Telemetry;

namespace Needle.Rollback.Hosting;

/// <summary>
/// Needle.Rollback's handle on Hangfire: its own storage instance (never <c>JobStorage.Current</c>), or the host's
/// when it runs Hangfire already. Enqueueing never throws: when the storage is down the caller gets <see langword="null"/>
/// and does the work itself, so a rollback never waits on a queue to be safe.
/// </summary>
internal sealed class RollbackJobs(JobStorage storage, IBackgroundJobClient client, IRecurringJobManager recurring, bool ownsStorage, ILogger<RollbackJobs> logger) : IDisposable
{
    public JobStorage Storage => storage;

    public IRecurringJobManager Recurring => recurring;

    public string? Enqueue<T>(Expression<Func<T, Task>> call, string what)
    {
        try
        {
            return client.Enqueue(call);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RollbackLog.QueueUnavailable(logger, ex, what);
            return null;
        }
    }

    public string? Schedule<T>(Expression<Func<T, Task>> call, TimeSpan delay, string what)
    {
        try
        {
            return client.Schedule(call, delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RollbackLog.QueueUnavailable(logger, ex, what);
            return null;
        }
    }

    public void Dispose()
    {
        if (ownsStorage && storage is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
