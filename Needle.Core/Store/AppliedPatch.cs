namespace Needle.Store;

/// <summary>An emergency patch as recorded under its idempotency key, so a retry answers what the first call did.</summary>
/// <param name="Function">The function patched.</param>
/// <param name="IdempotencyKey">The key the caller sent.</param>
/// <param name="Kind">What the patch was: <c>diff</c>, <c>source</c>, <c>config</c> or <c>kill</c>.</param>
/// <param name="BaseVersion">The version the patch was made against.</param>
/// <param name="Version">The version that served after it.</param>
/// <param name="Revision">The store revision after it.</param>
public sealed record AppliedPatch(string Function, string IdempotencyKey, string Kind, int BaseVersion, int Version, long Revision);
