using Jint;
using Jint.Native;
using Jint.Runtime.Interop;
using Needle.Runtime.Downstream;

namespace Needle.Runtime.JavaScript;

/// <summary>The state of one call on an engine: the handler's outcome and the host calls it waits for.</summary>
internal sealed class JavaScriptInvocation
{
    private readonly List<PendingFetch> _pending = [];

    public JavaScriptInvocation(InvocationContext context)
    {
        Context = context;
    }

    /// <summary>The call's context.</summary>
    public InvocationContext Context { get; }

    /// <summary>Whether the handler's promise has settled.</summary>
    public bool IsSettled { get; private set; }

    /// <summary>Whether it was rejected (then <see cref="Value"/> is the reason).</summary>
    public bool IsRejected { get; private set; }

    /// <summary>The value it settled with.</summary>
    public JsValue Value { get; private set; } = JsValue.Undefined;

    /// <summary>Whether host calls are still outstanding.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>Records a host call whose outcome settles a promise the function holds.</summary>
    public void AddPending(Task<DownstreamResponse> task, Action<JsValue> resolve, Action<JsValue> reject) =>
        _pending.Add(new PendingFetch(task, resolve, reject));

    /// <summary>Listens for the handler's promise to settle.</summary>
    public void Subscribe(Engine engine, JsValue then, JsValue promise)
    {
        // The callbacks belong to this call, so a promise left over from an earlier call can never settle this one.
        var onFulfilled = new ClrFunction(engine, "", (_, arguments) =>
        {
            Settle(rejected: false, arguments.Length > 0 ? arguments[0] : JsValue.Undefined);
            return JsValue.Undefined;
        });
        var onRejected = new ClrFunction(engine, "", (_, arguments) =>
        {
            Settle(rejected: true, arguments.Length > 0 ? arguments[0] : JsValue.Undefined);
            return JsValue.Undefined;
        });
        engine.Call(then, promise, [onFulfilled, onRejected]);
    }

    /// <summary>Waits, without a thread, until a host call completes or the call's token fires.</summary>
    public Task WhenAnyPendingAsync()
    {
        // Task.WhenAny never faults: a failed fetch rejects the function's promise instead of throwing here.
        var any = _pending.Count == 1
            ? Task.WhenAny((Task)_pending[0].Task)
            : Task.WhenAny(_pending.Select(static p => (Task)p.Task));
        return any.WaitAsync(Context.CancellationToken);
    }

    /// <summary>Settles, inside the engine, the promises of the host calls that have completed.</summary>
    public void SettleCompleted(JavaScriptEngine engine)
    {
        for (var i = 0; i < _pending.Count; i++)
        {
            var pending = _pending[i];
            if (!pending.Task.IsCompleted)
            {
                continue;
            }

            _pending.RemoveAt(i--);
            if (pending.Task.IsCompletedSuccessfully)
            {
                // The task has completed: reading its result does not block.
                pending.Resolve(JavaScriptFetch.CreateResponse(engine, pending.Task.Result));
            }
            else
            {
                pending.Reject(JavaScriptFetch.CreateError(engine, pending.Task.Exception?.GetBaseException()));
            }
        }
    }

    private void Settle(bool rejected, JsValue value)
    {
        if (IsSettled)
        {
            return;
        }

        IsSettled = true;
        IsRejected = rejected;
        Value = value;
    }

    private readonly record struct PendingFetch(Task<DownstreamResponse> Task, Action<JsValue> Resolve, Action<JsValue> Reject);
}
