using System.Text.Json.Nodes;
using Jint;
using Jint.Constraints;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime.Interop;
using Needle.Functions;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// One Jint engine with its own instance of the function's module, serving one call at a time. Module-level
/// state (top-level <c>let</c>s, caches) lives as long as the engine, like a Node process: it persists across
/// the calls this engine serves, but each engine of the pool has its own copy, and an engine is dropped after a
/// limit breach or timeout.
/// </summary>
internal sealed class JavaScriptEngine : IDisposable
{
    /// <summary>The module's name inside the engine; it appears in JavaScript stack traces.</summary>
    public const string ModuleSpecifier = "function.js";

    // One hidden class for every call's ctx; the request id (the trace identifier, a string ASP.NET makes on first
    // use) is made only when the function reads it, from that call's context.
    private static readonly JsObjectLayout ContextLayout = new JsObjectLayout.Builder()
        .AddLazy("requestId", static (_, state) => JsString.Create(((InvocationContext)state!).RequestId))
        .Add("config")
        .Add("secrets")
        .Add("log")
        .Add("fetch")
        .Build();

    private readonly Engine _engine;
    private readonly JsValue _handler;
    private readonly JsValue _then;
    private readonly OperationDeadlineConstraint _deadline;
    private readonly JavaScriptMemoryConstraint _memory;
    private readonly JsValue _config;
    private readonly JsValue _log;
    private readonly JsValue _fetch;
    private IReadOnlyDictionary<string, string>? _secretValues;
    private JsValue _secrets = JsValue.Undefined;
    private JavaScriptPromiseListener? _listener;
    private JavaScriptInvocation? _current;
    private FunctionRequest? _currentRequest;
    private ObjectInstance? _currentRequestObject;

    private JavaScriptEngine(Engine engine, JsValue handler, JsValue then, JsonObject? config)
    {
        _engine = engine;
        _handler = handler;
        _then = then;
        _deadline = engine.Constraints.Find<OperationDeadlineConstraint>()!;
        _memory = engine.Constraints.Find<JavaScriptMemoryConstraint>()!;
        HeldBytes = _memory.Used;
        Parser = new JsonParser(engine);
        _config = DeepFreeze(config is null ? new JsObject(engine) : Parser.Parse(config.ToJsonString()));
        _log = CreateLog();
        _fetch = new ClrFunction(engine, "fetch", (_, arguments) => JavaScriptFetch.Start(this, Current("ctx.fetch"), arguments), 2);
    }

    /// <summary>The engine the function runs in.</summary>
    public Engine Engine => _engine;

    /// <summary>
    /// What this engine may hold, estimated from above: everything its module and its calls have allocated (Jint has no
    /// heap accounting; an engine cannot hold more than it allocated). The pool recycles an engine past its memory limit.
    /// </summary>
    public long HeldBytes { get; private set; }

    /// <summary>Calls this engine has served.</summary>
    public int Calls { get; private set; }

    /// <summary>A JSON parser for this engine (it holds no state between parses).</summary>
    public JsonParser Parser { get; }

    /// <summary>The version's <c>maxResponseKb</c> in bytes: the budget of a JSON body's conversion.</summary>
    public long MaxResponseBytes { get; init; } = long.MaxValue;

    /// <summary>The version's <c>memoryMb</c> in bytes (0 for none): the budget of what host conversions of its values may build.</summary>
    public long MemoryLimitBytes { get; init; }

    /// <summary>
    /// Builds an engine with the version's limits and evaluates a fresh instance of the prepared module in it.
    /// Throws what the module's top-level code throws, or <see cref="FunctionValidationException"/> when there is no handler.
    /// </summary>
    public static JavaScriptEngine Create(Prepared<Acornima.Ast.Module> module, ResolvedLimits limits, JsonObject? config, CancellationToken cancellationToken)
    {
        var engine = new Engine(options => JavaScriptEngineConfiguration.Configure(options, limits));
        var deadline = engine.Constraints.Find<OperationDeadlineConstraint>()!;
        try
        {
            // The engine's global object is the whole world a function sees; these are refused or can block a thread.
            engine.Global.Delete("ShadowRealm");
            engine.Global.Delete("SharedArrayBuffer");
            engine.Global.Delete("Atomics");
            JavaScriptAllocationGuards.Install(engine, limits.MemoryBytes);

            // Taken before the module runs, so a module that replaces Promise.prototype.then cannot blind the host.
            var then = engine.Global.Get("Promise").Get("prototype").Get("then");

            // The function's time budget starts with its own code: the guards above are the host's, and on a cold
            // process their first run (Jint's JIT) can take seconds that are not the function's.
            deadline.Begin(limits.Timeout, cancellationToken);
            engine.Modules.Add(ModuleSpecifier, builder => builder.AddModule(module));
            var exports = engine.Modules.Import(ModuleSpecifier);
            var handler = exports.Get("default");
            if (handler.IsUndefined())
            {
                throw new FunctionValidationException("The module has no default export: export a function with 'export default async function (req, ctx) { ... }'.");
            }

            if (!handler.IsCallable())
            {
                throw new FunctionValidationException($"The module's default export is not a function (it is {TypeName(handler)}).");
            }

            return new JavaScriptEngine(engine, handler, then, config) { MaxResponseBytes = limits.MaxResponseBytes, MemoryLimitBytes = limits.MemoryBytes };
        }
        catch
        {
            engine.Dispose();
            throw;
        }
        finally
        {
            deadline.End();
        }
    }

    /// <summary>
    /// Whether the engine has served a call. Its first call pays Jint's first run of the handler (tens of milliseconds
    /// against a fraction of one later), so it counts as a cold start. One call at a time per engine: no race.
    /// </summary>
    public bool Served { get; set; }

    /// <summary>
    /// Runs the handler once, letting the engine wait (without a thread) for the host calls it makes.
    /// Throws Jint's exceptions as they are; <see cref="JavaScriptErrors"/> translates them.
    /// </summary>
    public async ValueTask<FunctionResponse> InvokeAsync(FunctionRequest request, InvocationContext context)
    {
        var invocation = new JavaScriptInvocation(context);
        _current = invocation;
        try
        {
            Arm(context, context.CancellationTokenIfMade);
            _engine.Constraints.Reset();
            _memory.BeginCall();
            Calls++;
            _engine.Advanced.ResetCallStack();

            var req = JavaScriptRequestConverter.Create(this, request);
            _currentRequest = request;
            _currentRequestObject = req;
            var ctx = JsObject.Create(_engine, ContextLayout, [null, _config, Secrets(context.Secrets), _log, _fetch], context);
            var result = _engine.Call(_handler, JsValue.Undefined, [req, ctx]);

            if (result.IsPromise())
            {
                // The callbacks are the engine's, reused while each call's promise settles within its call.
                var listener = _listener ??= new JavaScriptPromiseListener(_engine);
                listener.Listen(_engine, _then, result, invocation);
                _engine.Advanced.ProcessTasks();
                while (!invocation.IsSettled)
                {
                    if (!invocation.HasPending)
                    {
                        throw new FunctionInvocationException(
                            InvocationFailure.HandlerError,
                            "The function's promise never settled: it awaits something that nothing will resolve.");
                    }

                    _memory.Pause();
                    await invocation.WhenAnyPendingAsync().ConfigureAwait(false);

                    // The continuation may run on another thread: the call's budget goes on from what it has spent.
                    // The wait made the call's token, so from here a caller that goes away is noticed too.
                    _memory.Resume();
                    Arm(context, context.CancellationToken);
                    invocation.SettleCompleted(this);
                    _engine.Advanced.ProcessTasks();
                }

                if (invocation.IsRejected)
                {
                    throw JavaScriptErrors.FromRejection(invocation.Value, context.Version.Name);
                }

                result = invocation.Value;
            }
            else
            {
                // Jobs a synchronous handler queued (a fire-and-forget then) run now, not at the start of the next call.
                _engine.Advanced.ProcessTasks();
            }

            return JavaScriptResponseConverter.Convert(_engine, result, MaxResponseBytes);
        }
        finally
        {
            // Host calls still running are abandoned: their promises stay pending in this engine.
            HeldBytes += _memory.Used;
            _deadline.End();
            if (_listener is { IsWaiting: true } waiting)
            {
                waiting.Abandon();
                _listener = null;
            }

            _current = null;
            _currentRequest = null;
            _currentRequestObject = null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();

    /// <summary>The request of the current call when <paramref name="instance"/> is that call's <c>req</c>.</summary>
    internal FunctionRequest? RequestOf(ObjectInstance instance) =>
        _currentRequest is { } request && ReferenceEquals(instance, _currentRequestObject) ? request : null;

    /// <summary>
    /// Arms the call's deadline: what is left of its timeout, read off the clock at each check, and its token when there
    /// is one. No time left fails now (a zero budget would mean no limit to the constraint).
    /// </summary>
    private void Arm(InvocationContext context, CancellationToken token)
    {
        var remaining = context.Remaining;
        if (remaining <= TimeSpan.Zero)
        {
            throw new TimeoutException("The call has no time left.");
        }

        _deadline.Begin(remaining, token);
    }

    private static string TypeName(JsValue value) => value.IsNull() ? "null" : value.Type.ToString().ToLowerInvariant();

    private JavaScriptInvocation Current(string what) =>
        _current ?? throw new Jint.Runtime.JavaScriptException(_engine.Intrinsics.TypeError, $"{what} can only be used while the function is handling a request.");

    private JsValue CreateLog()
    {
        var log = new JsObject(_engine);
        foreach (var level in (ReadOnlySpan<string>)["info", "warn", "error", "debug"])
        {
            log.FastSetDataProperty(level, new ClrFunction(_engine, level, (_, arguments) =>
            {
                // Outside a call (module top level) there is no request to log against.
                _current?.Context.Log(level, JavaScriptLogFormatter.Format(_engine, arguments));
                return JsValue.Undefined;
            }));
        }

        return Freeze(log);
    }

    /// <summary>ctx.secrets, frozen: built once per engine, since every call of a version sees the same values.</summary>
    private JsValue Secrets(IReadOnlyDictionary<string, string> values)
    {
        if (!ReferenceEquals(values, _secretValues))
        {
            var secrets = new JsObject(_engine);
            foreach (var (name, value) in values)
            {
                secrets.FastSetDataProperty(name, JsString.Create(value));
            }

            _secrets = Freeze(secrets);
            _secretValues = values;
        }

        return _secrets;
    }

    private JsValue DeepFreeze(JsValue value)
    {
        if (value is ObjectInstance obj)
        {
            foreach (var property in obj.GetOwnProperties())
            {
                DeepFreeze(property.Value.Value);
            }

            Freeze(obj);
        }

        return value;
    }

    private JsValue Freeze(JsValue value)
    {
        _engine.Call(_engine.Intrinsics.Object.Get("freeze"), JsValue.Undefined, [value]);
        return value;
    }
}
