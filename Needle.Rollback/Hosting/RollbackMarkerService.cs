namespace Needle.Rollback.Hosting;

/// <summary>Registered by <c>AddRollback</c>, so <c>MapNeedleJobsDashboard</c> can say clearly when it was not called.</summary>
internal sealed class RollbackMarkerService;
