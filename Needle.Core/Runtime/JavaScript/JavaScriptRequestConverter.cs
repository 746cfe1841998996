using System.Globalization;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Microsoft.Extensions.Primitives;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// Builds <c>req</c>: <c>{ method, path, params, query, body, rawBody, headers }</c>, straight from the ASP.NET
/// collections into engine objects (no JSON round trip), the collections only when the function reads them. A body that claims to be JSON but does not parse is
/// passed as text, with the parser's message in <c>req.bodyError</c>.
/// </summary>
internal static class JavaScriptRequestConverter
{
    // params, query and headers are lazy slots: made on the first read that observes them (most functions read one
    // or two of them), memoised on that request object, ordinary writable data properties in every other respect.
    private static readonly JsObjectLayout RequestLayout = new JsObjectLayout.Builder()
        .Add("method")
        .Add("path")
        .AddLazy("params", static (instance, state) => ((JavaScriptEngine)state!).RequestOf(instance) is { } request ? CreateRouteValues(instance.Engine, request) : new JsObject(instance.Engine))
        .AddLazy("query", static (instance, state) => ((JavaScriptEngine)state!).RequestOf(instance) is { } request ? CreateQuery(instance.Engine, request) : new JsObject(instance.Engine))
        .Add("body")
        .Add("rawBody")
        .AddLazy("headers", static (instance, state) => ((JavaScriptEngine)state!).RequestOf(instance) is { } request ? CreateHeaders(instance.Engine, request) : new JsObject(instance.Engine))
        .Build();

    /// <summary>
    /// Creates the request object in the engine. Its lazy members are made from <paramref name="owner"/>'s current
    /// request only while this object is that call's <c>req</c>: a request object kept past its call (in module state)
    /// gets empty objects for the members it had not read, never those of a later request.
    /// </summary>
    public static ObjectInstance Create(JavaScriptEngine owner, FunctionRequest request)
    {
        var engine = owner.Engine;
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

        var req = JsObject.Create(engine, RequestLayout, [JsString.Create(request.Method), JsString.Create(request.Path), null, null, body, rawBody, null], owner);
        if (bodyError is not null)
        {
            req.FastSetDataProperty("bodyError", JsString.Create(bodyError));
        }

        return req;
    }

    private static JsObject CreateRouteValues(Jint.Engine engine, FunctionRequest request)
    {
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

        return routeValues;
    }

    private static JsObject CreateQuery(Jint.Engine engine, FunctionRequest request)
    {
        var query = new JsObject(engine);
        foreach (var (name, values) in request.Query)
        {
            query.FastSetDataProperty(name, ToJs(engine, values));
        }

        return query;
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
