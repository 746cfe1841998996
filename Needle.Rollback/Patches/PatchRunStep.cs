namespace Needle.Rollback.Patches;

/// <summary>One step of a patch run, as the job went through it.</summary>
/// <param name="Name"><c>validated</c>, <c>supersedes</c>, <c>applied</c>, <c>watching</c>, <c>succeeded</c>, <c>reverted</c>, <c>superseded</c> or <c>failed</c>.</param>
/// <param name="At">When.</param>
/// <param name="Detail">What happened, with the numbers where there are any.</param>
/// <param name="Requests">On <c>applied</c>: the base version's requests over the watch window before the patch, the baseline the watch compares with.</param>
/// <param name="Errors">On <c>applied</c>: the base version's errors over that window.</param>
public sealed record PatchRunStep(string Name, DateTimeOffset At, string? Detail, long? Requests = null, long? Errors = null);
