using Needle.Functions;

namespace Needle.Store;

/// <summary>A function's current release with the versions it names, as the store holds them.</summary>
/// <param name="Release">The release row.</param>
/// <param name="Stable">The stable version.</param>
/// <param name="Canary">The canary version, if any.</param>
public sealed record ReleasedFunction(ReleaseRecord Release, FunctionVersion Stable, FunctionVersion? Canary);
