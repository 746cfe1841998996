using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Needle.Runtime;

namespace Needle.Quality;

/// <summary>
/// The strict reading of test cases (<c>manifest.tests</c>, <c>name.tests.json</c>, the body of a test run): an
/// unknown field, a value of the wrong type, a bad JSON path, a stub without a URL, a stub for a service the manifest
/// does not list, a stub body over the fetch limit, too many or too large cases are refused, each problem naming the
/// case and the field.
/// </summary>
internal static class TestCaseParser
{
    private static readonly string[] CaseFields = ["name", "request", "fetch", "live", "expect"];
    private static readonly string[] RequestFields = ["method", "path", "params", "query", "headers", "body", "bodyText"];
    private static readonly string[] StubFields = ["method", "url", "status", "headers", "body"];
    private static readonly string[] ExpectFields = ["status", "headers", "headersPresent", "body", "bodySubset", "jsonPath", "maxMs"];

    /// <summary>The cases in <paramref name="tests"/>, or <see cref="FunctionValidationException"/> naming every problem.</summary>
    /// <param name="tests">The JSON array of cases (none when <see langword="null"/>).</param>
    /// <param name="where">Where they come from, for messages (<c>manifest.tests</c>).</param>
    /// <param name="services">The services the manifest lists (a stub's URL must name one).</param>
    /// <param name="maxFetchBytes">The version's fetch response limit (a stub's body must fit).</param>
    /// <param name="options">The host's limits.</param>
    public static IReadOnlyList<TestCase> Parse(JsonArray? tests, string where, IEnumerable<string>? services, long maxFetchBytes, QualityOptions options)
    {
        if (tests is null || tests.Count == 0)
        {
            return [];
        }

        var problems = new List<FunctionDiagnostic>();
        if (tests.Count > options.MaxCases)
        {
            throw new FunctionValidationException($"{where}: {tests.Count} test cases are more than this host's limit of {options.MaxCases} (Quality.MaxCases).");
        }

        var allowed = new HashSet<string>(services ?? [], StringComparer.OrdinalIgnoreCase);
        var cases = new List<TestCase>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tests.Count; i++)
        {
            var node = tests[i];
            var name = (node as JsonObject)?["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            var reader = new TestCaseReader(name is null ? $"{where}[{i}]" : $"{where}[{i}] ('{name}')", problems);
            if (node is not JsonObject obj)
            {
                reader.Fail("", "a test case is a JSON object");
                continue;
            }

            var size = Encoding.UTF8.GetByteCount(obj.ToJsonString());
            if (size > options.MaxCaseKb * 1024L)
            {
                reader.Fail("", $"the case is {size / 1024} KiB, over this host's limit of {options.MaxCaseKb} KiB (Quality.MaxCaseKb)");
                continue;
            }

            reader.Known(obj, "", CaseFields);
            if (string.IsNullOrWhiteSpace(name))
            {
                reader.Fail("name", "every case needs a name (a non-empty string)");
            }
            else if (!names.Add(name))
            {
                reader.Fail("name", $"another case is also named '{name}'");
            }

            var request = ReadRequest(reader, reader.Object(obj, "request", "request"));
            var stubs = ReadStubs(reader, obj["fetch"], allowed, maxFetchBytes);
            var live = reader.Bool(obj, "live", "live") ?? false;
            var expect = ReadExpect(reader, obj["expect"]);
            if (request is not null && expect is not null)
            {
                cases.Add(new TestCase(name ?? "", request, stubs, live, expect));
            }
        }

        return problems.Count > 0 ? throw new FunctionValidationException(problems) : cases;
    }

    private static TestCaseRequest? ReadRequest(TestCaseReader reader, JsonObject? request)
    {
        if (request is null)
        {
            return reader.Ok ? new TestCaseRequest("GET", null, TestCaseReader.Empty, TestCaseReader.Empty, TestCaseReader.Empty, null, null) : null;
        }

        reader.Known(request, "request.", RequestFields);
        var method = reader.String(request, "method", "request.method")?.ToUpperInvariant() ?? "GET";
        return new TestCaseRequest(
            method,
            reader.String(request, "path", "request.path"),
            reader.Strings(request, "params", "request.params"),
            reader.Strings(request, "query", "request.query"),
            reader.Strings(request, "headers", "request.headers"),
            request["body"]?.DeepClone(),
            reader.String(request, "bodyText", "request.bodyText"));
    }

    private static List<FetchStub> ReadStubs(TestCaseReader reader, JsonNode? fetch, HashSet<string> services, long maxFetchBytes)
    {
        var stubs = new List<FetchStub>();
        if (fetch is null)
        {
            return stubs;
        }

        if (fetch is not JsonArray array)
        {
            reader.Fail("fetch", "a list of stubs ([{\"url\": ..., \"status\": ..., \"body\": ...}])");
            return stubs;
        }

        for (var i = 0; i < array.Count; i++)
        {
            var at = $"fetch[{i}]";
            if (array[i] is not JsonObject stub)
            {
                reader.Fail(at, "a stub is a JSON object");
                continue;
            }

            reader.Known(stub, at + ".", StubFields);
            var url = reader.String(stub, "url", at + ".url");
            if (string.IsNullOrWhiteSpace(url))
            {
                reader.Fail(at + ".url", "every stub needs the URL the function fetches (http://service/path)");
                continue;
            }

            var service = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Host : null;
            if (service is null)
            {
                reader.Fail(at + ".url", $"'{url}' is not an absolute http(s) URL naming a service, such as 'http://catalog/items'");
            }
            else if (!services.Contains(service))
            {
                reader.Fail(at + ".url", $"'{service}' is not among the manifest's services, so the function could not fetch it");
            }

            var status = reader.Int(stub, "status", at + ".status") ?? 200;
            if (status is < 100 or > 599)
            {
                reader.Fail(at + ".status", $"{status} is not an HTTP status (100 to 599)");
            }

            var headers = reader.Strings(stub, "headers", at + ".headers").ToList();
            var bodyNode = stub["body"];
            var body = bodyNode is null ? "" : bodyNode.GetValueKind() == JsonValueKind.String ? bodyNode.GetValue<string>() : bodyNode.ToJsonString();
            if (bodyNode is not null && bodyNode.GetValueKind() != JsonValueKind.String && !headers.Any(h => h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase)))
            {
                headers.Add(new("content-type", "application/json"));
            }

            if (Encoding.UTF8.GetByteCount(body) > maxFetchBytes)
            {
                reader.Fail(at + ".body", $"the stub body is larger than the version's fetch limit of {maxFetchBytes / 1024} KiB (limits.maxFetchResponseKb), so no real service could answer it");
            }

            var method = reader.String(stub, "method", at + ".method")?.ToUpperInvariant() ?? "GET";
            stubs.Add(new FetchStub(method, url, status, headers, body));
        }

        return stubs;
    }

    private static TestExpectation? ReadExpect(TestCaseReader reader, JsonNode? node)
    {
        if (node is not JsonObject expect || expect.Count == 0)
        {
            reader.Fail("expect", "every case needs an expect object with at least one of: " + string.Join(", ", ExpectFields));
            return null;
        }

        reader.Known(expect, "expect.", ExpectFields);
        var status = reader.Int(expect, "status", "expect.status");
        var present = new List<string>();
        if (expect["headersPresent"] is { } list)
        {
            if (list is JsonArray items && items.All(x => x?.GetValueKind() == JsonValueKind.String))
            {
                present.AddRange(items.Select(x => x!.GetValue<string>()));
            }
            else
            {
                reader.Fail("expect.headersPresent", "a list of header names");
            }
        }

        var subset = expect["bodySubset"];
        if (subset is not null && subset is not (JsonObject or JsonArray))
        {
            reader.Fail("expect.bodySubset", "a JSON object or array whose members the body must have (use body for a whole value)");
        }

        var paths = new List<(JsonPath, JsonNode?)>();
        if (reader.Object(expect, "jsonPath", "expect.jsonPath") is { } byPath)
        {
            foreach (var (text, value) in byPath)
            {
                if (JsonPath.TryParse(text, out var error) is { } path)
                {
                    paths.Add((path, value?.DeepClone()));
                }
                else
                {
                    reader.Fail($"expect.jsonPath['{text}']", error!);
                }
            }
        }

        double? maxMs = null;
        if (expect["maxMs"] is { } ms)
        {
            if (ms.GetValueKind() == JsonValueKind.Number && ms.GetValue<double>() > 0)
            {
                maxMs = ms.GetValue<double>();
            }
            else
            {
                reader.Fail("expect.maxMs", "a positive number of milliseconds");
            }
        }

        return new TestExpectation(status, reader.Strings(expect, "headers", "expect.headers"), present, expect["body"]?.DeepClone(), expect.ContainsKey("body"), subset?.DeepClone(), paths, maxMs);
    }
}
