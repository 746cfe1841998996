namespace Needle.Patching;

/// <summary>The outcome of an emergency patch.</summary>
/// <param name="Function">The function.</param>
/// <param name="Kind"><c>diff</c>, <c>source</c>, <c>config</c> or <c>kill</c>.</param>
/// <param name="BaseVersion">The version the patch was made against.</param>
/// <param name="Version">The version that serves now (the new one, or for a kill switch the base).</param>
/// <param name="Revision">The store revision after the patch.</param>
/// <param name="Replayed">Whether this is the recorded result of an earlier patch with the same idempotency key.</param>
public sealed record PatchResult(string Function, string Kind, int BaseVersion, int Version, long Revision, bool Replayed);
