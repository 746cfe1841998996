using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Needle.Functions;
using Needle.Runtime;
using Needle.Tests.Runtime.JavaScript;

namespace Needle.Tests.Runtime;

/// <summary>The invocation's deadline token: made on first use, yet firing at the deadline counted from the start.</summary>
[TestClass]
public sealed class InvocationContextTests
{
    private static readonly FunctionVersion Version = new("fn", 1, "", new FunctionManifest { Name = "fn" }, "hash", "test", DateTimeOffset.UnixEpoch, null);

    private static ResolvedLimits Limits(TimeSpan timeout) => ResolvedLimits.Resolve(new FunctionLimits { TimeoutMs = (int)timeout.TotalMilliseconds }, new FunctionLimits());

    [TestMethod]
    public async Task CancellationToken_AskedForAfterTheDeadline_IsAlreadyCancelled()
    {
        using var context = InvocationContext.WithDeadline(Version, NullLogger.Instance, new TestDownstreamClient(), Limits(TimeSpan.FromMilliseconds(50)), new DefaultHttpContext());

        await Task.Delay(150);

        Assert.IsTrue(context.CancellationToken.IsCancellationRequested);
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task CancellationToken_AskedForEarly_FiresAtTheDeadlineCountedFromTheStart()
    {
        using var context = InvocationContext.WithDeadline(Version, NullLogger.Instance, new TestDownstreamClient(), Limits(TimeSpan.FromMilliseconds(3_000)), new DefaultHttpContext());
        await Task.Delay(500);

        var token = context.CancellationToken;
        Assert.IsFalse(token.IsCancellationRequested);
        var fired = new TaskCompletionSource();
        using var registration = token.Register(() => fired.TrySetResult());

        // About 2.5 s were left when the token was made (generous against a loaded machine's delays); a bound that
        // only catches a timer counted from the first use (which would fire at 3.5 s or later).
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.IsLessThan(TimeSpan.FromMilliseconds(3_450), context.Elapsed);
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(2_980), context.Elapsed);
    }

    [TestMethod]
    public async Task CancellationToken_TheCallerGoesAway_Fires()
    {
        using var aborted = new CancellationTokenSource();
        var http = new DefaultHttpContext { RequestAborted = aborted.Token };
        using var context = InvocationContext.WithDeadline(Version, NullLogger.Instance, new TestDownstreamClient(), Limits(TimeSpan.FromSeconds(30)), http);
        var token = context.CancellationToken;

        await aborted.CancelAsync();

        Assert.IsTrue(token.IsCancellationRequested);
    }

    [TestMethod]
    public void RequestId_IsTheTraceIdentifier_AndAbandonIsCountedOnce()
    {
        var http = new DefaultHttpContext { TraceIdentifier = "req-42" };
        using var context = InvocationContext.WithDeadline(Version, NullLogger.Instance, new TestDownstreamClient(), Limits(TimeSpan.FromSeconds(1)), http);

        Assert.AreEqual("req-42", context.RequestId);
        Assert.IsTrue(context.TryAbandon());
        Assert.IsFalse(context.TryAbandon());
        Assert.IsTrue(context.IsAbandoned);
    }

    [TestMethod]
    public void FetchCancellationToken_CallWithADeadlineEndsWithAFetchInFlight_Fires()
    {
        var context = InvocationContext.WithDeadline(Version, NullLogger.Instance, new TestDownstreamClient(), Limits(TimeSpan.FromSeconds(30)), new DefaultHttpContext());
        Assert.IsTrue(context.TryStartFetch(1, out _));
        var token = context.FetchCancellationToken;

        context.Dispose();

        Assert.IsTrue(token.IsCancellationRequested);
    }

    [TestMethod]
    public void FetchCancellationToken_TestInvocationEnds_Fires()
    {
        using var caller = new CancellationTokenSource();
        var context = new InvocationContext(Version, "r", NullLogger.Instance, new TestDownstreamClient(), Limits(TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(30), caller.Token);
        Assert.IsTrue(context.TryStartFetch(1, out _));
        var token = context.FetchCancellationToken;

        context.Dispose();

        Assert.IsTrue(token.IsCancellationRequested);
        Assert.IsFalse(caller.IsCancellationRequested, "the caller's token is its own");
    }

    [TestMethod]
    public void TryStartFetch_AtTheLimitOrAfterTheEnd_Refuses()
    {
        var context = InvocationContext.WithDeadline(Version, NullLogger.Instance, new TestDownstreamClient(), Limits(TimeSpan.FromSeconds(30)), new DefaultHttpContext());

        Assert.IsTrue(context.TryStartFetch(2, out _));
        Assert.IsTrue(context.TryStartFetch(2, out _));
        Assert.IsFalse(context.TryStartFetch(2, out var endedAtLimit));
        context.EndFetch();
        Assert.IsTrue(context.TryStartFetch(2, out _));
        context.Dispose();
        Assert.IsFalse(context.TryStartFetch(2, out var ended));

        Assert.IsFalse(endedAtLimit);
        Assert.IsTrue(ended);
    }
}
