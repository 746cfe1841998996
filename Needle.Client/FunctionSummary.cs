namespace Needle.Client;

/// <summary>A function as <c>GET /functions</c> lists it.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="Route">Its route under the function prefix.</param>
/// <param name="Methods">Its HTTP methods.</param>
/// <param name="Runtime"><c>javascript</c> or <c>csharp</c>.</param>
/// <param name="LatestVersion">The newest version number.</param>
/// <param name="Release">Its current release, if it has one.</param>
/// <param name="Serving">What this node serves (<c>hello@3</c>, or stable and canary).</param>
/// <param name="LoadError">Why this node could not load the released version, if it could not.</param>
public sealed record FunctionSummary(
    string Name,
    string? Route,
    IReadOnlyList<string>? Methods,
    string? Runtime,
    int LatestVersion,
    Release? Release,
    string? Serving,
    string? LoadError);
