namespace Needle.Store;

/// <summary>A mark on a version, such as <c>bad</c> after a rollback.</summary>
/// <param name="Function">The function.</param>
/// <param name="Number">The version number.</param>
/// <param name="Mark">The mark.</param>
/// <param name="Actor">Who set it.</param>
/// <param name="Reason">Why.</param>
/// <param name="At">When.</param>
public sealed record VersionMark(string Function, int Number, string Mark, string Actor, string? Reason, DateTimeOffset At);
