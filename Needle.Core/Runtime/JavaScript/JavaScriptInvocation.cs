using Jint.Native;
using Needle.Runtime.Downstream;

namespace Needle.Runtime.JavaScript;

/// <summary>The state of one call on an engine: the handler's outcome and the host calls it waits for.</summary>
internal sealed class JavaScriptInvocation
{
    // Made by the first fetch: most calls make none.
    private List<PendingFetch>? _pending;

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
    public bool HasPending => _pending is { Count: > 0 };

    /// <summary>Records a host call whose outcome settles a promise the function holds.</summary>
    public void AddPending(Task<DownstreamResponse> task, Action<JsValue> resolve, Action<JsValue> reject) =>
        (_pending ??= []).Add(new PendingFetch(task, resolve, reject));

    /// <summary>Waits, without a thread, until a host call completes or the call's token fires.</summary>
    public Task WhenAnyPendingAsync()
    {
        // Task.WhenAny never faults: a failed fetch rejects the function's promise instead of throwing here.
        var pending = _pending!;
        Task any = pending.Count switch
        {
            1 => Task.WhenAny(pending[0].Task),
            2 => Task.WhenAny(pending[0].Task, pending[1].Task),
            _ => Task.WhenAny(pending.Select(static p => (Task)p.Task)),
        };
        return any.WaitAsync(Context.CancellationToken);
    }

    /// <summary>Settles, inside the engine, the promises of the host calls that have completed.</summary>
    public void SettleCompleted(JavaScriptEngine engine)
    {
        if (_pending is not { } all)
        {
            return;
        }

        for (var i = 0; i < all.Count; i++)
        {
            var pending = all[i];
            if (!pending.Task.IsCompleted)
            {
                continue;
            }

            all.RemoveAt(i--);
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

    /// <summary>Records the handler's outcome; only the first counts.</summary>
    public void Settle(bool rejected, JsValue value)
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
