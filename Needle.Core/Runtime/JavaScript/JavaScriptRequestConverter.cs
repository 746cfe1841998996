using System.Globalization;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Microsoft.Extensions.Primitives;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// Builds <c>req</c>: <c>{ method, path, params, query, headers, body, rawBody }</c>, straight from the ASP.NET
/// collections into engine objects (no JSON round trip). A body that claims to be JSON but does not parse is
/// passed as text, with the parser's message in <c>req.bodyError</c>.
/// </summary>
internal static class JavaScriptRequestConverter
{
    private static readonly JsObjectLayout RequestLayout = new(["method", "path", "params", "query", "body", "rawBody"]);

    /// <summary>Creates the request object in the engine.</summary>
    public static JsValue Create(JavaScriptEngine owner, FunctionRequest request)
    {
        var engine = owner.Engine;

        var routeValues = new JsObject(engine);
        foreach (var (name, value) in request.RouteValues)
        {
            routeValues.FastSetDataProperty(name, value switch
            {
                null => JsValue.Null,
                string text => JsString.Create(text),
                _ => JsString.Create(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
            });
        }

        var query = new JsObject(engine);
        foreach (var (name, values) in request.Query)
        {
            query.FastSetDataProperty(name, ToJs(engine, values));
        }

        var rawBody = request.Body is null ? JsValue.Null : JsString.Create(request.Body);
        var body = rawBody;
        string? bodyError = null;
        if (request.IsJson && !string.IsNullOrWhiteSpace(request.Body))
        {
            try
            {
                body = owner.Parser.Parse(request.Body);
            }
            catch (JavaScriptException ex)
            {
                bodyError = "The request body is not valid JSON: " + ex.Message;
            }
        }

        var req = JsObject.Create(engine, RequestLayout, [
            JsString.Create(request.Method),
            JsString.Create(request.Path),
            routeValues,
            query,
            body,
            rawBody,
        ]);
        req.FastSetProperty("headers", new GetSetPropertyDescriptor(owner.HeadersGetter, owner.HeadersSetter, enumerable: true, configurable: true));
        if (bodyError is not null)
        {
            req.FastSetDataProperty("bodyError", JsString.Create(bodyError));
        }

        return req;
    }

    /// <summary>Creates <c>req.headers</c>: lower-case names, a string per header or an array when repeated.</summary>
    public static JsObject CreateHeaders(Jint.Engine engine, FunctionRequest request)
    {
        var headers = new JsObject(engine);
        foreach (var (name, values) in request.Headers)
        {
            headers.FastSetDataProperty(LowerCase(name), ToJs(engine, values));
        }

        return headers;
    }

    private static JsValue ToJs(Jint.Engine engine, StringValues values)
    {
        if (values.Count == 1)
        {
            return JsString.Create(values[0] ?? "");
        }

        var items = new JsValue[values.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = JsString.Create(values[i] ?? "");
        }

        return new JsArray(engine, items);
    }

    // Kestrel hands most names already lower case (HTTP/2 and 3 require it); only allocate when needed.
    private static string LowerCase(string name)
    {
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return name.ToLowerInvariant();
            }
        }

        return name;
    }
}
