namespace Needle.Rollback.Hosting;

/// <summary>Registered by <c>AddRollback</c>, so <c>MapNeedleRollback</c> can say clearly when it was not called.</summary>
internal sealed class RollbackMarkerService;
