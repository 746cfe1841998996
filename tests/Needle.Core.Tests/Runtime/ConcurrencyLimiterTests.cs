using Needle.Runtime;

namespace Needle.Tests.Runtime;

/// <summary>The lock-free concurrency limit shared by the C# runtime: slots, waiters in order, timeouts and cancellation.</summary>
[TestClass]
public sealed class ConcurrencyLimiterTests
{
    [TestMethod]
    public async Task TryEnter_UpToTheMaximum_ThenWaitersAreServedInArrivalOrder()
    {
        var limiter = new ConcurrencyLimiter(2, TimeSpan.FromSeconds(30));
        Assert.IsTrue(limiter.TryEnter());
        Assert.IsTrue(await limiter.TryEnterAsync(CancellationToken.None));
        Assert.IsFalse(limiter.TryEnter());
        Assert.AreEqual(2, limiter.InUse);

        var first = limiter.TryEnterAsync(CancellationToken.None).AsTask();
        var second = limiter.TryEnterAsync(CancellationToken.None).AsTask();
        Assert.IsFalse(first.IsCompleted);

        limiter.Release();
        Assert.IsTrue(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsFalse(second.IsCompleted, "the second waiter got a slot before the first");

        limiter.Release();
        Assert.IsTrue(await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.AreEqual(2, limiter.InUse);
        limiter.Release();
        limiter.Release();
        Assert.AreEqual(0, limiter.InUse);
        Assert.IsTrue(limiter.TryEnter());
    }

    [TestMethod]
    public async Task TryEnterAsync_QueueTimeout_ReturnsFalseAndLeavesNoDebt()
    {
        var limiter = new ConcurrencyLimiter(1, TimeSpan.FromMilliseconds(50));
        Assert.IsTrue(limiter.TryEnter());

        Assert.IsFalse(await limiter.TryEnterAsync(CancellationToken.None));

        // The waiter that left must not swallow the slot given back next.
        limiter.Release();
        Assert.AreEqual(0, limiter.InUse);
        Assert.IsTrue(limiter.TryEnter());
    }

    [TestMethod]
    public async Task TryEnterAsync_Cancelled_ThrowsAndLeavesNoDebt()
    {
        var limiter = new ConcurrencyLimiter(1, TimeSpan.FromSeconds(30));
        Assert.IsTrue(limiter.TryEnter());
        using var cancel = new CancellationTokenSource();
        var waiting = limiter.TryEnterAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => waiting);
        limiter.Release();
        Assert.AreEqual(0, limiter.InUse);
        Assert.IsTrue(limiter.TryEnter());
    }

    [TestMethod]
    public async Task ManyCallers_NeverMoreThanTheMaximumAtOnce_AndEverySlotComesBack()
    {
        const int Maximum = 3;
        var limiter = new ConcurrencyLimiter(Maximum, TimeSpan.FromMilliseconds(2));
        var running = 0;
        var peak = 0;
        var admitted = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                if (!await limiter.TryEnterAsync(CancellationToken.None))
                {
                    continue;
                }

                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                Interlocked.Increment(ref admitted);
                if (i % 7 == 0)
                {
                    await Task.Yield();
                }

                Interlocked.Decrement(ref running);
                limiter.Release();
            }
        })));

        Assert.IsLessThanOrEqualTo(Maximum, peak);
        Assert.IsGreaterThan(0, admitted);
        Assert.AreEqual(0, limiter.InUse);
        for (var i = 0; i < Maximum; i++)
        {
            Assert.IsTrue(limiter.TryEnter(), $"slot {i} did not come back");
        }

        Assert.IsFalse(limiter.TryEnter());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
