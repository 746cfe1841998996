namespace Needle.Observability.Health;

/// <summary>The health windows of one function version.</summary>
/// <param name="Function">The function name.</param>
/// <param name="Version">The version number.</param>
/// <param name="Role">
/// <c>stable</c> or <c>canary</c> when the release names it now, <c>loaded</c> for a warm standby, otherwise the role of
/// its last request (<c>pinned</c>, or what it was before the release moved on); in the cluster's figures, <c>elsewhere</c>
/// for a version only other nodes served (this node neither loads it nor called it recently).
/// </param>
/// <param name="Windows">One entry per window, shortest first.</param>
/// <param name="LastError">The last failed invocation, if any since the host started.</param>
public sealed record VersionHealth(string Function, int Version, string Role, IReadOnlyList<WindowStats> Windows, ErrorReport? LastError);
