using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using Needle.Runtime.CSharp;

namespace Needle.Tests.Runtime.CSharp;

[TestClass]
public sealed class NativeHeapTrimmerTests
{
    [TestMethod]
    public void Tick_AfterAnUnloadedContextIsCollected_TrimsTheHeap()
    {
        var time = new FakeTimeProvider();
        var statistics = new CSharpRuntimeStatistics();
        var trims = 0;
        using var trimmer = new NativeHeapTrimmer(statistics, time, () => ++trims > 0);
        UnloadEmptyContext(statistics);
        trimmer.Unloaded();

        Assert.IsTrue(CollectUntil(() => statistics.Collected() == 1), "the unloaded context was not collected");
        time.Advance(NativeHeapTrimmer.Interval);

        Assert.AreEqual(1, trims);
        Assert.AreEqual(1, statistics.NativeHeapTrims);
    }

    [TestMethod]
    public void Tick_NothingCollectedSinceTheLastTrim_DoesNotTrim()
    {
        var time = new FakeTimeProvider();
        var statistics = new CSharpRuntimeStatistics();
        var trims = 0;
        using var trimmer = new NativeHeapTrimmer(statistics, time, () => ++trims > 0);

        trimmer.Unloaded();
        time.Advance(NativeHeapTrimmer.Interval * (NativeHeapTrimmer.IdleTicks + 5));

        Assert.AreEqual(0, trims);
    }

    [TestMethod]
    public void Trim_OnGlibc_CallsMallocTrim()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out _))
        {
            Assert.Inconclusive("Trimming the native heap is a glibc feature.");
        }

        Assert.IsTrue(NativeHeap.IsSupported);
        _ = NativeHeap.Trim();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UnloadEmptyContext(CSharpRuntimeStatistics statistics)
    {
        var context = new CSharpLoadContext("trimmer-test");
        statistics.ContextUnloading(context);
        context.Unload();
    }

    private static bool CollectUntil(Func<bool> done)
    {
        for (var i = 0; i < 50 && !done(); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return done();
    }
}
