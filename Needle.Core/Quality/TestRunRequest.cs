using System.Text.Json.Nodes;

namespace Needle.Quality;

/// <summary>The body of <c>POST /functions/{name}/versions/{n}/test</c>: cases to run instead of the version's own.</summary>
public sealed class TestRunRequest
{
    /// <summary>
    /// Test cases in the manifest's format (docs/testing-functions.md), read as strictly; the version's own
    /// <c>tests</c> when left out. Cases given here are never kept as the version's result.
    /// </summary>
    public JsonArray? Tests { get; set; }
}
