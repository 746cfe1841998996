using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Needle.ControlPlane;

namespace Needle.Quality;

/// <summary>Compares what a function answered in a case with what the case expects, one mismatch per expectation that does not hold.</summary>
internal static class TestExpectationCheck
{
    private static readonly JsonSerializerOptions ShowOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static List<TestMismatch> Compare(TestExpectation expect, InvokeResponse actual, IReadOnlyList<string> unstubbed)
    {
        var mismatches = new List<TestMismatch>();
        foreach (var call in unstubbed)
        {
            mismatches.Add(new TestMismatch("fetch", "a stub for every fetch (or \"live\": true)", $"{call} had no stub"));
        }

        if (expect.Status is { } status && status != actual.Status)
        {
            var got = actual.Error is null ? actual.Status.ToString(CultureInfo.InvariantCulture) : $"{actual.Status} ({actual.Error})";
            mismatches.Add(new TestMismatch("status", status.ToString(CultureInfo.InvariantCulture), got));
        }

        foreach (var (name, value) in expect.Headers)
        {
            var found = actual.Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (found.Key is null || found.Value != value)
            {
                mismatches.Add(new TestMismatch("headers." + name, value, found.Key is null ? "absent" : found.Value));
            }
        }

        foreach (var name in expect.HeadersPresent)
        {
            if (!actual.Headers.Keys.Any(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                mismatches.Add(new TestMismatch("headers." + name, "present", "absent"));
            }
        }

        var body = actual.Body is { } element ? JsonNode.Parse(element.GetRawText()) : null;
        if (expect.HasBody && !JsonNode.DeepEquals(expect.Body, body))
        {
            mismatches.Add(new TestMismatch("body", Show(expect.Body), actual.Body is null ? "no body" : Show(body)));
        }

        if (expect.BodySubset is { } subset && FindDifference(subset, body, "bodySubset") is { } difference)
        {
            mismatches.Add(difference);
        }

        foreach (var (path, value) in expect.JsonPaths)
        {
            var field = $"jsonPath['{path.Text}']";
            if (!path.TryFind(body, out var found))
            {
                mismatches.Add(new TestMismatch(field, Show(value), "no such value"));
            }
            else if (!JsonNode.DeepEquals(value, found))
            {
                mismatches.Add(new TestMismatch(field, Show(value), Show(found)));
            }
        }

        if (expect.MaxMs is { } maxMs && actual.DurationMs > maxMs)
        {
            mismatches.Add(new TestMismatch("maxMs", "at most " + maxMs.ToString(CultureInfo.InvariantCulture) + " ms", actual.DurationMs.ToString("0.###", CultureInfo.InvariantCulture) + " ms"));
        }

        return mismatches;
    }

    // An object matches when each expected member is present and matches; an array when it has the same length and
    // each element matches; anything else when equal.
    private static TestMismatch? FindDifference(JsonNode? expected, JsonNode? actual, string at)
    {
        switch (expected)
        {
            case JsonObject members:
                if (actual is not JsonObject actualMembers)
                {
                    return new TestMismatch(at, "an object", Show(actual));
                }

                foreach (var (key, value) in members)
                {
                    if (!actualMembers.TryGetPropertyValue(key, out var actualValue))
                    {
                        return new TestMismatch($"{at}.{key}", Show(value), "absent");
                    }

                    if (FindDifference(value, actualValue, $"{at}.{key}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonArray items:
                if (actual is not JsonArray actualItems || actualItems.Count != items.Count)
                {
                    return new TestMismatch(at, $"an array of {items.Count}", Show(actual));
                }

                for (var i = 0; i < items.Count; i++)
                {
                    if (FindDifference(items[i], actualItems[i], $"{at}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : new TestMismatch(at, Show(expected), Show(actual));
        }
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString(ShowOptions) ?? "null";
        return text.Length > 1_000 ? text[..1_000] + "…" : text;
    }
}
