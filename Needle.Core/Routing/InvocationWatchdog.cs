using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Needle.Releases;
using Needle.Runtime;

namespace Needle.Routing;

/// <summary>
/// Answers an invocation whose synchronous part runs past its deadline.
/// </summary>
/// <remarks>
/// <para>
/// Functions run inline on the request's thread until they first await: no hop to the thread pool per call. A C#
/// function that computes without ever yielding therefore holds the request's thread, and the endpoint cannot answer
/// it at its timeout. The watchdog can. Before the call, the endpoint marks its thread's section as running with the
/// deadline; after the call returns it marks it idle again (two interlocked operations, no allocation, no lock). The
/// watchdog's thread looks at the running sections every <see cref="Tick"/>; for one past its deadline plus
/// <see cref="OverrunGrace.Period"/> it claims the response and has the endpoint answer it (504) from there. When the
/// function finally returns, the request's thread finds the response taken, waits until the answer is written, and
/// drops the late result.
/// </para>
/// <para>
/// A section's state word holds a sequence number with the state, so a claim can never land on the next invocation
/// of the same thread: the claim is a compare-and-swap on the very word the watchdog looked at.
/// </para>
/// <para>
/// One watchdog per host: a singleton of the host's container, its thread started with the host and stopped when the
/// container is disposed (after Kestrel has drained its requests), so hosts in one process do not share it.
/// </para>
/// </remarks>
internal sealed class InvocationWatchdog : IHostedService, IDisposable
{
    /// <summary>How often the watchdog looks.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private const long Idle = 0;
    private const long Running = 1;
    private const long Claimed = 2;
    private const long StateMask = 3;
    private static readonly long GraceTicks = (long)(OverrunGrace.Period.TotalSeconds * Stopwatch.Frequency);
    private readonly Lock _registration = new();

    // Not disposed with the watchdog: a request that races the container's disposal still finds its section.
    private readonly ThreadLocal<Section?> _section = new();
    private Section[] _sections = [];
    private Thread? _thread;
    private volatile bool _stopped;

    /// <summary>Whether the watchdog's thread is looking (started with the host, stopped when disposed).</summary>
    public bool IsRunning => Volatile.Read(ref _thread) is { IsAlive: true } && !_stopped;

    /// <summary>
    /// Marks the calling thread as running <paramref name="invocation"/> until <see cref="Section.Exit"/>;
    /// <paramref name="deadline"/> is a <see cref="Stopwatch"/> timestamp. Past it (plus the grace),
    /// <paramref name="answer"/> runs on the watchdog's thread instead of the caller's answer.
    /// </summary>
    public Section Enter(long deadline, in StuckInvocation invocation, Func<StuckInvocation, Task> answer)
    {
        var section = _section.Value ?? Register();

        // A call nested inside another's synchronous part on this thread (a continuation run inline) is covered by
        // the outer one's section; it gets a section that is never watched.
        return section.TryEnter(deadline, invocation, answer) ? section : Section.Unwatched;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_registration)
        {
            StartLocked();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Nothing stops here: requests still draining after the host's stop signal stay watched until disposal.</remarks>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops the watchdog's thread.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_registration)
        {
            _stopped = true;
            thread = _thread;
        }

        thread?.Join(TimeSpan.FromSeconds(5));
    }

    private Section Register()
    {
        var section = new Section(Thread.CurrentThread);
        lock (_registration)
        {
            _sections = [.. _sections.Where(s => s.Owner.IsAlive), section];

            // Started with the host; a request served before that (or without a host) starts it here.
            StartLocked();
        }

        _section.Value = section;
        return section;
    }

    private void StartLocked()
    {
        if (_thread is null && !_stopped)
        {
            _thread = new Thread(Watch) { IsBackground = true, Name = "Needle invocation watchdog" };
            // Not the execution context of whichever request got here first.
            _thread.UnsafeStart();
        }
    }

    private void Watch()
    {
        while (!_stopped)
        {
            Thread.Sleep(Tick);
            var now = Stopwatch.GetTimestamp();
            foreach (var section in Volatile.Read(ref _sections))
            {
                section.TryAnswer(now);
            }
        }
    }

    private static Task RunIn(ExecutionContext flow, Func<StuckInvocation, Task> answer, StuckInvocation invocation)
    {
        Task? written = null;
        ExecutionContext.Run(flow, _ => written = answer(invocation), null);
        return written!;
    }

    /// <summary>What the endpoint needs to answer an invocation without its function.</summary>
    internal readonly record struct StuckInvocation(HttpContext Http, ILoadedFunction Function, InvocationContext Context, ReleaseRole Role, long Started, ExecutionContext? Flow);

    /// <summary>One thread's invocation as the watchdog sees it.</summary>
    internal sealed class Section
    {
        private long _word;
        private long _deadline;
        private StuckInvocation _invocation;
        private Func<StuckInvocation, Task>? _answer;
        private TaskCompletionSource? _answered;

        public Section(Thread owner) => Owner = owner;

        /// <summary>A section the watchdog never sees, for nested calls.</summary>
        internal static Section Unwatched { get; } = new(new Thread(static () => { }));

        /// <summary>The thread this section belongs to.</summary>
        public Thread Owner { get; }

        /// <summary>
        /// Marks the end of the synchronous part. Returns <see langword="null"/> when the function returned in time
        /// (the caller goes on as usual), or a task that completes when the watchdog's answer has been written: the
        /// caller must wait for it and must not touch the response.
        /// </summary>
        public Task? Exit()
        {
            var word = Volatile.Read(ref _word);
            var sequence = word & ~StateMask;
            var previous = Interlocked.CompareExchange(ref _word, sequence | Idle, sequence | Running);
            if ((previous & StateMask) != Claimed)
            {
                _invocation = default;
                _answer = null;
                return null;
            }

            _invocation = default;
            _answer = null;

            // Claimed: the watchdog set _answered before its compare-and-swap, which this thread has now seen.
            var answered = _answered!.Task;
            _answered = null;
            Volatile.Write(ref _word, sequence | Idle);
            return answered;
        }

        internal bool TryEnter(long deadline, in StuckInvocation invocation, Func<StuckInvocation, Task> answer)
        {
            if ((Volatile.Read(ref _word) & StateMask) != Idle || ReferenceEquals(this, Unwatched))
            {
                return false;
            }

            _invocation = invocation;
            _answer = answer;
            _deadline = deadline;
            var sequence = (Volatile.Read(ref _word) & ~StateMask) + (StateMask + 1);
            Volatile.Write(ref _word, sequence | Running);
            return true;
        }

        internal void TryAnswer(long now)
        {
            var word = Volatile.Read(ref _word);
            if ((word & StateMask) != Running || now - Volatile.Read(ref _deadline) < GraceTicks)
            {
                return;
            }

            // What is read here belongs to the invocation of this word: the owner sets the word idle before it enters
            // the next one, and that would make the compare-and-swap below fail.
            var invocation = _invocation;
            var answer = _answer;
            var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _answered = answered;
            if (answer is null || Interlocked.CompareExchange(ref _word, (word & ~StateMask) | Claimed, word) != word)
            {
                return;
            }

            Task written;
            try
            {
                written = invocation.Flow is { } flow ? RunIn(flow, answer, invocation) : answer(invocation);
            }
            catch (Exception ex)
            {
                written = Task.FromException(ex);
            }

            written.ContinueWith(
                static (task, state) =>
                {
                    var done = (TaskCompletionSource)state!;
                    _ = task.Exception;
                    done.TrySetResult();
                },
                answered,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
