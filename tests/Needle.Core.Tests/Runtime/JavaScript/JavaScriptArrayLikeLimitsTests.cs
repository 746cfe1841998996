using System.Diagnostics;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.JavaScript;

/// <summary>
/// Built-ins that loop over a length the function chooses (an array-like of 2^53 - 1 elements, a sparse array): the call
/// ends at its limits and no host thread goes on looping after the answer. The host runs in a child process shared by
/// the class (starting one per case cost about 9 s each): its CPU time counts only these calls, which run one after
/// another, not the tests running beside them; each case measures the 3 s after its own answer.
/// </summary>
[TestClass]
public sealed class JavaScriptArrayLikeLimitsTests : ClassHostTests<JavaScriptArrayLikeLimitsTests, ChildHost>, IClassHost<ChildHost>
{
    public static async Task<ChildHost> StartClassHostAsync()
    {
        var host = await ChildHost.StartAsync();
        await host.DeployAsync("healthy", "export default () => ({ ok: true });");
        return host;
    }

    [TestMethod]
    [DataRow("Array.prototype.indexOf.call({ length: 2 ** 53 - 1 }, 1)", DisplayName = "indexOf")]
    [DataRow("Array.prototype.lastIndexOf.call({ length: 2 ** 53 - 1 }, 1)", DisplayName = "lastIndexOf")]
    [DataRow("Array.prototype.includes.call({ length: 2 ** 53 - 1 }, 1)", DisplayName = "includes")]
    [DataRow("Array.prototype.fill.call({ length: 2 ** 53 - 1 }, 1)", DisplayName = "fill")]
    [DataRow("Array.prototype.reverse.call({ length: 2 ** 53 - 1 })", DisplayName = "reverse")]
    [DataRow("Array.prototype.sort.call({ length: 2 ** 53 - 1 })", DisplayName = "sort")]
    [DataRow("Array.prototype.copyWithin.call({ length: 2 ** 53 - 1 }, 0, 1)", DisplayName = "copyWithin")]
    [DataRow("Array.prototype.forEach.call({ length: 2 ** 53 - 1 }, (x) => x)", DisplayName = "forEach over holes")]
    [DataRow("Array.prototype.every.call({ length: 2 ** 53 - 1 }, () => false)", DisplayName = "every over holes")]
    [DataRow("Array.prototype.findLastIndex.call({ length: 2 ** 53 - 1 }, () => false)", DisplayName = "findLastIndex")]
    [DataRow("Array.prototype.splice.call({ length: 2 ** 53 - 1 }, 0, 1)", DisplayName = "splice")]
    [DataRow("Array.prototype.join.call({ length: 2 ** 32 - 1 }, '')", DisplayName = "join with an empty separator")]
    [DataRow("new Set(Array.prototype.keys.call({ length: 2 ** 53 - 1 })).size", DisplayName = "a Set filled from a huge array-like's keys")]
    [DataRow("(() => { const a = []; a.length = 2 ** 32 - 1; return a.reverse(); })()", DisplayName = "reverse of a sparse array")]
    [DataRow("(() => { const a = []; a.length = 2 ** 32 - 1; return a.sort(); })()", DisplayName = "sort of a sparse array")]
    public async Task Invoke_BuiltInOverAHugeArrayLike_EndsAtItsLimitAndFreesTheThread(string expression)
    {
        var host = Host;
        await host.DeployAsync("looper", $"export default () => {{ const r = {expression}; return String(r).length; }};", new { limits = new { timeoutMs = 3_000 } });
        var started = Stopwatch.GetTimestamp();

        var (status, _, body) = await host.GetAsync("/fn/looper");
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpuBefore = host.ProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var cpuAfter = host.ProcessorTime;
        var healthy = await host.GetAsync("/fn/healthy");

        // Jint checks the engine's constraints inside these loops (or skips the holes of a sparse object): the call ends
        // with its answer, at the memory limit or at the timeout, and no host thread goes on looping after the answer
        // (a looping thread would burn the whole 3 s).
        Assert.IsTrue(status is 200 or 500 or 504, $"{status}: {body}");
        Assert.IsLessThan(TimeSpan.FromSeconds(30), elapsed);
        Assert.IsLessThan(TimeSpan.FromSeconds(2), cpuAfter - cpuBefore, "a host thread kept working after the call ended");
        Assert.AreEqual(200, healthy.Status);
    }
}
