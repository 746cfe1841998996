using Needle.Functions;

namespace Needle.Patching;

/// <summary>A patch that passed <see cref="Releases.INeedleReleases.CheckPatchAsync"/>.</summary>
/// <param name="Kind"><c>diff</c>, <c>source</c>, <c>config</c> or <c>kill</c>.</param>
/// <param name="Base">The stable version the patch is made against.</param>
public sealed record PatchCheck(string Kind, FunctionVersion Base);
