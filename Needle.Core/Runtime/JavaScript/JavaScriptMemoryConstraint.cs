using Jint;
using Jint.Runtime;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The memory limit of one call, as one budget from its start to its end however many awaits it spans. Jint's own
/// constraint measures the current thread's allocations since its last reset, and the engine resets constraints on
/// every entry (the handler call, each run of the job queue), so an await restarted the budget. This one carries what
/// was spent on earlier threads over to the next. It also reports what a call allocated, which is the pool's estimate
/// of what an engine may hold (an engine cannot hold more than it allocated).
/// </summary>
internal sealed class JavaScriptMemoryConstraint : Constraint
{
    private readonly long _limit;
    private long _carried;
    private long _start;
    private bool _paused;

    public JavaScriptMemoryConstraint(long limit)
    {
        _limit = limit;
        _start = GC.GetAllocatedBytesForCurrentThread();
    }

    /// <summary>Bytes allocated since <see cref="BeginCall"/> (or since the engine was built), on every thread it ran on.</summary>
    public long Used => _paused ? _carried : _carried + GC.GetAllocatedBytesForCurrentThread() - _start;

    /// <inheritdoc />
    public override void Check()
    {
        if (_limit > 0 && Used > _limit)
        {
            throw new MemoryLimitExceededException($"Script has allocated {Used} but is limited to {_limit}");
        }
    }

    /// <inheritdoc />
    /// <remarks>Jint calls this at every entry into the engine; the budget is the call's, so nothing happens here.</remarks>
    public override void Reset()
    {
    }

    /// <summary>Starts a call's budget on the current thread.</summary>
    public void BeginCall()
    {
        _carried = 0;
        _paused = false;
        _start = GC.GetAllocatedBytesForCurrentThread();
    }

    /// <summary>Banks what the call has used on this thread before it waits; the continuation may run on another.</summary>
    public void Pause()
    {
        _carried = Used;
        _paused = true;
    }

    /// <summary>Continues the call's budget on the current thread.</summary>
    public void Resume()
    {
        _start = GC.GetAllocatedBytesForCurrentThread();
        _paused = false;
    }
}
