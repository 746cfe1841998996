namespace Needle.Rollback.Rollbacks;

/// <summary>The answer to <c>POST /functions/{name}/rollback?async=true</c> when the rollback was queued as a job.</summary>
/// <param name="Function">The function.</param>
/// <param name="RequestId">The rollback's id: the audit event <c>rollback-served</c> carries it once this node serves the old version.</param>
/// <param name="JobId">The Hangfire job that performs it.</param>
internal sealed record RollbackAccepted(string Function, string RequestId, string JobId);
