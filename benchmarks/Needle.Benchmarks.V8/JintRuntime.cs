using System.Globalization;
using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;

namespace Needle.Benchmarks.V8;

/// <summary>
/// The baseline: Jint 4.18 in-process, one reused engine, as Needle.Core builds it (strict, the module prepared once,
/// <c>req</c> built straight into engine objects, a fresh <c>ctx</c> per call over a frozen config, the promise pumped,
/// the result serialised by the engine's JSON serializer). The sandbox's own guards are not reproduced, only the
/// engine options that cost per statement (timeout, statement count, recursion, memory).
/// </summary>
internal sealed class JintRuntime : ITransformerRuntime
{
    private readonly Engine _engine;
    private readonly JsValue _handler;
    private readonly JsValue _config;
    private readonly JsValue _log;
    private readonly JsValue _secrets;
    private readonly JsValue _fetch;
    private readonly JsonSerializer _serializer;
    private readonly JsonParser _parser;

    public JintRuntime(SampleFunction function, long memoryLimitBytes = 64 << 20)
    {
        _engine = new Engine(options =>
        {
            options.Strict = true;
            options.Host.StringCompilationAllowed = false;
            options.Culture = CultureInfo.InvariantCulture;
            options.TimeZone = TimeZoneInfo.Utc;
            options.Constraints.StackOverflowGuard = true;
            options.TimeoutInterval(TimeSpan.FromSeconds(30));
            options.MaxStatements(10_000_000);
            options.LimitRecursion(256);
            options.LimitMemory(memoryLimitBytes);
        });
        var module = Engine.PrepareModule(function.Source, "function.js");
        _engine.Modules.Add("function.js", builder => builder.AddModule(module));
        _handler = _engine.Modules.Import("function.js").Get("default");
        _parser = new JsonParser(_engine);
        _serializer = new JsonSerializer(_engine);
        _config = Freeze(_parser.Parse(function.ConfigJson));
        _secrets = Freeze(new JsObject(_engine));
        var log = new JsObject(_engine);
        foreach (var level in new[] { "info", "warn", "error", "debug" })
        {
            log.FastSetDataProperty(level, new Jint.Runtime.Interop.ClrFunction(_engine, level, (_, _) => JsValue.Undefined));
        }

        _log = Freeze(log);
        _fetch = new Jint.Runtime.Interop.ClrFunction(_engine, "fetch", (_, _) => throw new InvalidOperationException("The transformer does not fetch."));
    }

    /// <inheritdoc />
    public string Name => "Jint in-process";

    /// <inheritdoc />
    public int Invoke(SampleRequest request, string requestId, PooledBuffer output)
    {
        output.Clear();
        _engine.Constraints.Reset();
        var req = new JsObject(_engine);
        req.FastSetDataProperty("method", JsString.Create(request.Method));
        req.FastSetDataProperty("path", JsString.Create(request.Path));
        req.FastSetDataProperty("params", Pairs(request.RouteValues));
        req.FastSetDataProperty("query", Pairs(request.Query));
        req.FastSetDataProperty("headers", Pairs(request.Headers));
        req.FastSetDataProperty("body", JsValue.Null);
        req.FastSetDataProperty("rawBody", JsValue.Null);
        var ctx = new JsObject(_engine);
        ctx.FastSetDataProperty("requestId", JsString.Create(requestId));
        ctx.FastSetDataProperty("config", _config);
        ctx.FastSetDataProperty("secrets", _secrets);
        ctx.FastSetDataProperty("log", _log);
        ctx.FastSetDataProperty("fetch", _fetch);

        var result = _engine.Call(_handler, JsValue.Undefined, [req, ctx]).UnwrapIfPromise();
        var status = 200;
        if (result is ObjectInstance obj && obj.Get("status") is { } s && s.IsNumber())
        {
            status = (int)s.AsNumber();
            result = obj.Get("body");
        }

        var text = _serializer.Serialize(result).ToString();
        var span = output.Writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Writer.Advance(Encoding.UTF8.GetBytes(text, span));
        return status;
    }

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();

    private JsObject Pairs(KeyValuePair<string, string>[] pairs)
    {
        var obj = new JsObject(_engine);
        foreach (var (key, value) in pairs)
        {
            obj.FastSetDataProperty(key, JsString.Create(value));
        }

        return obj;
    }

    private JsValue Freeze(JsValue value)
    {
        _engine.Call(_engine.Intrinsics.Object.Get("freeze"), JsValue.Undefined, [value]);
        return value;
    }
}
