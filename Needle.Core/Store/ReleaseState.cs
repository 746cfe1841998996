namespace Needle.Store;

/// <summary>
/// What the store releases: one entry per function that has a release and is not deleted. Each node makes what it
/// serves (its <c>ServingSnapshot</c>) follow this.
/// </summary>
/// <param name="Revision">The store revision this state is at.</param>
/// <param name="Functions">The releases with their versions.</param>
public sealed record ReleaseState(long Revision, IReadOnlyList<ReleasedFunction> Functions);
