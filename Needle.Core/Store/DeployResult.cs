using Needle.Functions;

namespace Needle.Store;

/// <summary>The outcome of <see cref="INeedleStore.AddVersionAsync"/>.</summary>
/// <param name="Version">The version written.</param>
/// <param name="Release">The release written when the version was activated.</param>
/// <param name="Revision">The store revision after the change.</param>
public sealed record DeployResult(FunctionVersion Version, ReleaseRecord? Release, long Revision);
