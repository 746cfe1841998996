using Jint;
using Jint.Native;
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
    // headers, text and json are lazy slots, made on the first read that observes them (an aggregator reads json
    // alone): per fetch, no headers object and no function the function never touches.
    private static readonly JsObjectLayout ResponseLayout = new JsObjectLayout.Builder()
        .Add("status")
        .Add("ok")
        .AddLazy("headers", static (instance, state) => CreateHeaders(instance.Engine, ((Completed)state!).Response))
        .AddLazy("text", static (instance, state) => ((Completed)state!).Text(instance.Engine))
        .AddLazy("json", static (instance, state) => ((Completed)state!).Json(instance.Engine))
        .Build();

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
                // Counted before anything is read: a typed array or a String object has one key per element, and the
                // engine's limits are not checked inside this host loop.
                var count = headerObject.Get("length") is { } length && length.IsNumber() ? length.AsNumber() : 0;
                var keys = count > DownstreamHeaders.MaxCount ? null : headerObject.GetOwnPropertyKeys(Types.String);
                if (keys is null || keys.Count > DownstreamHeaders.MaxCount)
                {
                    var given = keys?.Count ?? count;
                    return Rejected(owner, new DownstreamException($"fetch: {given} headers is more than the {DownstreamHeaders.MaxCount} a fetch may send."));
                }

                foreach (var key in keys)
                {
                    var value = headerObject.Get(key);
                    if (!value.IsUndefined() && !value.IsNull())
                    {
                        headers.Add(new(key.ToString(), TypeConverter.ToString(value)));
                    }
                }
            }

            body = ReadBody(owner, init.Get("body"), headers);
        }

        var request = new DownstreamRequest(url.ToString(), method, headers, body);
        var (promise, resolve, reject) = engine.Advanced.RegisterPromise();
        invocation.AddPending(SendAsync(request, invocation.Context), resolve, reject);
        return promise;
    }

    /// <summary>Builds the JavaScript response object for a completed host call.</summary>
    public static JsValue CreateResponse(JavaScriptEngine owner, DownstreamResponse response)
    {
        var ok = response.Status is >= 200 and <= 299;
        return JsObject.Create(owner.Engine, ResponseLayout, [JsNumber.Create(response.Status), ok ? JsBoolean.True : JsBoolean.False, null, null, null], new Completed(owner, response));
    }

    private static JsObject CreateHeaders(Engine engine, DownstreamResponse response)
    {
        var headers = new JsObject(engine);
        foreach (var (name, value) in response.Headers)
        {
            var key = name.ToLowerInvariant();

            // Repeated headers are combined as WHATWG Headers.get does.
            headers.FastSetDataProperty(key, headers.TryGetValue(key, out var existing) && existing.IsString()
                ? JsString.Create(existing + ", " + value)
                : JsString.Create(value));
        }

        return headers;
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

    private static string? ReadBody(JavaScriptEngine owner, JsValue body, List<KeyValuePair<string, string>> headers)
    {
        if (body.IsUndefined() || body.IsNull())
        {
            return null;
        }

        if (body.IsString())
        {
            return body.ToString();
        }

        // The bounded writer, not Jint's serializer: a body of many references to one long string (or a huge typed
        // array) would otherwise be built in one host call past the function's memory limit.
        var engine = owner.Engine;
        // A quarter: the writer's buffer grows by doubling, so building n characters allocates about 4n bytes.
        var budget = owner.MemoryLimitBytes > 0 ? owner.MemoryLimitBytes / 4 : long.MaxValue;
        string? json;
        try
        {
            json = JavaScriptJsonWriter.Serialize(engine, body, budget);
        }
        catch (JavaScriptJsonWriter.BudgetExceededException)
        {
            throw new JavaScriptException(engine.Intrinsics.TypeError, $"ctx.fetch cannot send this body: as JSON it is larger than the function's memory limit of {owner.MemoryLimitBytes >> 20} MB.");
        }
        catch (JavaScriptJsonWriter.NotSerializableException ex)
        {
            throw new JavaScriptException(engine.Intrinsics.TypeError, $"ctx.fetch cannot send this body: {ex.Message}.");
        }

        if (json is null)
        {
            throw new JavaScriptException(engine.Intrinsics.TypeError, "ctx.fetch cannot send this body: use a string or a JSON-serialisable value.");
        }

        if (!headers.Exists(static h => h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new("content-type", "application/json"));
        }

        return json;
    }

    private static JsValue Rejected(JavaScriptEngine owner, Exception exception)
    {
        var (promise, _, reject) = owner.Engine.Advanced.RegisterPromise();
        reject(CreateError(owner, exception));
        return promise;
    }

    private static JsValue Resolved(Engine engine, JsValue value)
    {
        var (promise, resolve, _) = engine.Advanced.RegisterPromise();
        resolve(value);
        return promise;
    }

    /// <summary>A completed host call as its response object's lazy members see it.</summary>
    private sealed class Completed(JavaScriptEngine owner, DownstreamResponse response)
    {
        public DownstreamResponse Response => response;

        public JsValue Text(Engine engine) => new ClrFunction(engine, "text", (_, _) => Resolved(engine, JsString.Create(response.Body)));

        public JsValue Json(Engine engine) => new ClrFunction(engine, "json", (_, _) =>
        {
            var (promise, resolve, reject) = engine.Advanced.RegisterPromise();
            try
            {
                // From the bytes when they are well-formed UTF-8: no string of the whole body on the way.
                resolve(response.TryGetUtf8(out var utf8) ? owner.Parser.Parse(utf8) : owner.Parser.Parse(response.Body));
            }
            catch (JavaScriptException ex)
            {
                reject(ex.Error);
            }

            return promise;
        });
    }
}
