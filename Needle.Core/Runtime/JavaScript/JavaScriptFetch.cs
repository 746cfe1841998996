using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;
using Needle.Runtime.Downstream;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// <c>ctx.fetch(url, init)</c>: a WHATWG-like fetch over <see cref="IDownstreamClient"/>. It returns a promise at
/// once; the host call runs on its own and the invocation loop settles the promise when it completes.
/// </summary>
internal static class JavaScriptFetch
{
    private static readonly JsObjectLayout ResponseLayout = new(["status", "ok", "headers", "text", "json"]);

    /// <summary>Starts a host call for the function and returns the promise of its response.</summary>
    public static JsValue Start(JavaScriptEngine owner, JavaScriptInvocation invocation, JsValue[] arguments)
    {
        var engine = owner.Engine;
        var url = arguments.At(0);
        if (!url.IsString())
        {
            throw new JavaScriptException(engine.Intrinsics.TypeError, "ctx.fetch expects a URL string as its first argument.");
        }

        var method = "GET";
        string? body = null;
        var headers = new List<KeyValuePair<string, string>>();
        if (arguments.At(1) is ObjectInstance init)
        {
            if (init.Get("method") is { } m && !m.IsUndefined())
            {
                method = TypeConverter.ToString(m).ToUpperInvariant();
            }

            if (init.Get("headers") is ObjectInstance headerObject)
            {
                foreach (var key in headerObject.GetOwnPropertyKeys(Types.String))
                {
                    var value = headerObject.Get(key);
                    if (!value.IsUndefined() && !value.IsNull())
                    {
                        headers.Add(new(key.ToString(), TypeConverter.ToString(value)));
                    }
                }
            }

            body = ReadBody(engine, init.Get("body"), headers);
        }

        var request = new DownstreamRequest(url.ToString(), method, headers, body);
        var (promise, resolve, reject) = engine.Advanced.RegisterPromise();
        invocation.AddPending(SendAsync(request, invocation.Context), resolve, reject);
        return promise;
    }

    /// <summary>Builds the JavaScript response object for a completed host call.</summary>
    public static JsValue CreateResponse(JavaScriptEngine owner, DownstreamResponse response)
    {
        var engine = owner.Engine;
        var headers = new JsObject(engine);
        foreach (var (name, value) in response.Headers)
        {
            var key = name.ToLowerInvariant();

            // Repeated headers are combined as WHATWG Headers.get does.
            headers.FastSetDataProperty(key, headers.TryGetValue(key, out var existing) && existing.IsString()
                ? JsString.Create(existing + ", " + value)
                : JsString.Create(value));
        }

        var body = response.Body;
        var text = new ClrFunction(engine, "text", (_, _) => Resolved(engine, JsString.Create(body)));
        var json = new ClrFunction(engine, "json", (_, _) =>
        {
            var (promise, resolve, reject) = engine.Advanced.RegisterPromise();
            try
            {
                resolve(owner.Parser.Parse(body));
            }
            catch (JavaScriptException ex)
            {
                reject(ex.Error);
            }

            return promise;
        });

        var ok = response.Status is >= 200 and <= 299;
        return JsObject.Create(engine, ResponseLayout, [JsNumber.Create(response.Status), ok ? JsBoolean.True : JsBoolean.False, headers, text, json]);
    }

    /// <summary>The JavaScript error a failed host call rejects with: the message only for <see cref="DownstreamException"/>.</summary>
    public static JsValue CreateError(JavaScriptEngine owner, Exception? exception)
    {
        var message = exception switch
        {
            DownstreamException downstream => downstream.Message,
            OperationCanceledException => "ctx.fetch was cancelled.",

            // Anything else is a host fault whose details are not the function's business.
            _ => "ctx.fetch failed.",
        };
        var engine = owner.Engine;
        return engine.Construct(engine.Intrinsics.Error, [JsString.Create(message)]);
    }

    private static async Task<DownstreamResponse> SendAsync(DownstreamRequest request, InvocationContext context)
    {
        // Async so that a client throwing before its first await faults the task rather than the engine.
        return await context.Downstream.FetchAsync(request, context).ConfigureAwait(false);
    }

    private static string? ReadBody(Engine engine, JsValue body, List<KeyValuePair<string, string>> headers)
    {
        if (body.IsUndefined() || body.IsNull())
        {
            return null;
        }

        if (body.IsString())
        {
            return body.ToString();
        }

        var json = new JsonSerializer(engine).Serialize(body);
        if (json.IsUndefined())
        {
            throw new JavaScriptException(engine.Intrinsics.TypeError, "ctx.fetch cannot send this body: use a string or a JSON-serialisable value.");
        }

        if (!headers.Exists(static h => h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new("content-type", "application/json"));
        }

        return json.ToString();
    }

    private static JsValue Resolved(Engine engine, JsValue value)
    {
        var (promise, resolve, _) = engine.Advanced.RegisterPromise();
        resolve(value);
        return promise;
    }
}
