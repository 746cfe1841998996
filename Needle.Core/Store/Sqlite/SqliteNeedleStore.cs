namespace Needle.Store.Sqlite;

// Placeholder while the SQLite store is written; replaced before anything lands.
internal sealed class SqliteNeedleStore
#pragma warning disable CS9113
    (string connectionString, TimeProvider timeProvider) : INeedleStore
#pragma warning restore CS9113
{
    public Task InitializeAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<long> GetRevisionAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<ServingState> GetServingStateAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<FunctionRecord>> ListFunctionsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<FunctionRecord?> GetFunctionAsync(string name, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<Functions.FunctionVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<Functions.FunctionVersion?> GetVersionAsync(string name, int number, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<DeployResult> AddVersionAsync(NewVersion version, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<ReleaseRecord> SetReleaseAsync(ReleaseChange change, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<ReleaseRecord>> ListReleasesAsync(string name, int limit, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<long> DeleteFunctionAsync(string name, string actor, string? reason, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<AuditEvent>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task ReportNodeAsync(string nodeId, long revision, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
