using Jint;
using Jint.Native;
using Jint.Runtime.Interop;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The two callbacks the host passes to <c>then</c> of a handler's promise, made once per engine and reused by each
/// call whose promise settles. A listener whose promise did not settle within its call is dropped (its callbacks then
/// settle nothing), so a promise left over from an earlier call can never settle a later one.
/// </summary>
internal sealed class JavaScriptPromiseListener
{
    private readonly JsValue[] _callbacks;
    private JavaScriptInvocation? _target;

    public JavaScriptPromiseListener(Engine engine)
    {
        _callbacks =
        [
            new ClrFunction(engine, "", (_, arguments) => Settle(rejected: false, arguments)),
            new ClrFunction(engine, "", (_, arguments) => Settle(rejected: true, arguments)),
        ];
    }

    /// <summary>Whether the last promise listened to has not settled (then this listener must not be reused).</summary>
    public bool IsWaiting => _target is not null;

    /// <summary>Listens, for <paramref name="invocation"/>, for <paramref name="promise"/> to settle.</summary>
    public void Listen(Engine engine, JsValue then, JsValue promise, JavaScriptInvocation invocation)
    {
        _target = invocation;
        engine.Call(then, promise, _callbacks);
    }

    /// <summary>Stops settling anything: the call ended without its promise settling.</summary>
    public void Abandon() => _target = null;

    private JsValue Settle(bool rejected, JsValue[] arguments)
    {
        var target = _target;
        _target = null;
        target?.Settle(rejected, arguments.Length > 0 ? arguments[0] : JsValue.Undefined);
        return JsValue.Undefined;
    }
}
