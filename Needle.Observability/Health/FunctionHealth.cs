namespace Needle.Observability.Health;

/// <summary>The health windows of one function: all its versions together, and each version.</summary>
/// <param name="Function">The function name.</param>
/// <param name="StableVersion">The stable version this node serves, if it serves the function.</param>
/// <param name="CanaryVersion">The canary this node serves, if any.</param>
/// <param name="Windows">All versions together, one entry per window, shortest first.</param>
/// <param name="LastError">The latest error of any version.</param>
/// <param name="Versions">Each version that is loaded or had traffic within the widest window, newest first.</param>
public sealed record FunctionHealth(
    string Function,
    int? StableVersion,
    int? CanaryVersion,
    IReadOnlyList<WindowStats> Windows,
    ErrorReport? LastError,
    IReadOnlyList<VersionHealth> Versions);
