using System.Text.Json.Nodes;

namespace Needle.Quality;

/// <summary>One parsed test case of a version (the strict reading of an entry of <c>manifest.tests</c>).</summary>
/// <param name="Name">The case's name, unique within the version.</param>
/// <param name="Request">The request the function gets.</param>
/// <param name="Fetch">Stubbed downstream answers, matched by method and URL.</param>
/// <param name="Live">Whether a fetch without a stub goes to the real service (otherwise it fails the case).</param>
/// <param name="Expect">What the answer must be.</param>
internal sealed record TestCase(string Name, TestCaseRequest Request, IReadOnlyList<FetchStub> Fetch, bool Live, TestExpectation Expect);

/// <summary>The request of a case; the same shape as a test invocation's sample request.</summary>
internal sealed record TestCaseRequest(
    string Method,
    string? Path,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    JsonNode? Body,
    string? BodyText);

/// <summary>A stubbed downstream answer: what a fetch of <paramref name="Method"/> <paramref name="Url"/> gets instead of calling out.</summary>
internal sealed record FetchStub(string Method, string Url, int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body);

/// <summary>What a case expects; each member left out is not checked.</summary>
internal sealed record TestExpectation(
    int? Status,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyList<string> HeadersPresent,
    JsonNode? Body,
    bool HasBody,
    JsonNode? BodySubset,
    IReadOnlyList<(JsonPath Path, JsonNode? Value)> JsonPaths,
    double? MaxMs);
