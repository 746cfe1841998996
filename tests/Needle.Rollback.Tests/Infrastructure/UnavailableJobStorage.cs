using Hangfire;
using Hangfire.Storage;

namespace Needle.Rollback.Tests.Infrastructure;

/// <summary>Job storage that is down: every connection attempt fails, as a lost database would.</summary>
internal sealed class UnavailableJobStorage : JobStorage
{
    public override IMonitoringApi GetMonitoringApi() => throw new InvalidOperationException("job storage is down");

    public override IStorageConnection GetConnection() => throw new InvalidOperationException("job storage is down");
}
