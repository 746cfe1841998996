using Microsoft.AspNetCore.Builder;

namespace Needle.Testing;

/// <summary>A host <see cref="NeedleTestHost"/> started: the app, its store's folder (and whether the host deletes it), and how it was set up.</summary>
public sealed record StartedHost(WebApplication App, string Directory, bool OwnsDirectory, NeedleTestHostSettings Settings);
