using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using Needle.Routing;
using Needle.Runtime;

namespace Needle.ControlPlane;

/// <summary>A test run's request and answer in the API's shapes, for test invocations and test cases alike.</summary>
internal static class TestInvocationShapes
{
    public static FunctionRequest ToFunctionRequest(string name, InvokeRequest sample)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var (key, value) in sample.Headers ?? [])
        {
            headers[key] = value;
        }

        string? body = sample.BodyText;
        string? contentType = headers.ContentType.Count > 0 ? headers.ContentType.ToString() : null;
        if (sample.Body is not null)
        {
            body = sample.Body.ToJsonString();
            contentType ??= "application/json";
        }

        return new FunctionRequest
        {
            Method = (sample.Method ?? "GET").ToUpperInvariant(),
            Path = sample.Path ?? "/" + name,
            RouteValues = new RouteValueDictionary(sample.Params?.ToDictionary(p => p.Key, p => (object?)p.Value) ?? []),
            Query = new QueryCollection((sample.Query ?? []).ToDictionary(q => q.Key, q => new StringValues(q.Value))),
            Headers = headers,
            Body = body,
            ContentType = contentType,
        };
    }

    public static InvokeResponse ToInvokeResponse(TestInvocationResult result)
    {
        var duration = result.Duration.TotalMilliseconds;
        if (result.Failure is { } failure)
        {
            var (status, title) = InvocationProblems.Classify(failure);
            return new InvokeResponse(status, new Dictionary<string, string>(), null, duration, result.Logs, $"{title}: {failure.Message}");
        }

        var response = result.Response!;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in response.Headers)
        {
            headers[key] = value;
        }

        if (response.ContentType is not null && !headers.ContainsKey("content-type"))
        {
            headers["content-type"] = response.ContentType;
        }

        JsonElement? body = null;
        var text = response.BodyText;
        response.ReturnUtf8Buffer();
        if (text is not null)
        {
            body = headers.TryGetValue("content-type", out var type) && type.Contains("json", StringComparison.OrdinalIgnoreCase) && TryParse(text, out var json)
                ? json
                : JsonSerializer.SerializeToElement(text);
        }

        return new InvokeResponse(response.StatusCode, headers, body, duration, result.Logs, null);
    }

    private static bool TryParse(string text, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }
}
