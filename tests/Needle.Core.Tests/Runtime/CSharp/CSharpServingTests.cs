using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Needle.Runtime.CSharp;
using Needle.Serving;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>C# functions served by the real host: failures, limits, state across versions, unloading, compile caching.</summary>
[TestClass]
public sealed class CSharpServingTests
{
    private static readonly object GetOnly = new { runtime = "csharp", methods = new[] { "GET" } };

    [TestMethod]
    public async Task Invoke_Throw_Returns500WithMessageAndLineAndTheNextCallWorks()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("thrower", CSharpTestHost.Handler("""
            if (request.Query.ContainsKey("fail")) throw new InvalidOperationException("no luck");
            return "fine";
            """), GetOnly);

        var (status, body, _) = await host.GetAsync("/fn/thrower?fail=1");
        var next = await host.GetAsync("/fn/thrower");

        Assert.AreEqual(500, status, body);
        StringAssert.Contains(body, "InvalidOperationException: no luck (line 7)");
        Assert.DoesNotContain("   at ", body);
        Assert.AreEqual((200, "fine"), (next.Status, next.Body));
    }

    [TestMethod]
    [DataRow("await Task.Delay(3000);", DisplayName = "awaits without the token")]
    [DataRow("var sw = System.Diagnostics.Stopwatch.StartNew(); while (sw.ElapsedMilliseconds < 2000) { } await Task.Yield();", DisplayName = "computes without yielding")]
    [DoNotParallelize]
    public async Task Invoke_IgnoredTimeout_Returns504AtTheLimitAndCountsTheAbandonedWork(string body)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("stuck", CSharpTestHost.Handler(body + " return \"late\";"), new { runtime = "csharp", methods = new[] { "GET" }, limits = new { timeoutMs = 300 } });
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var before = statistics.Abandoned;

        var watch = Stopwatch.StartNew();
        var (status, text, _) = await host.GetAsync("/fn/stuck");
        watch.Stop();

        Assert.AreEqual(504, status, text);
        // The limit is 300 ms and the work takes 2 s or more: answered well before the work ends, with room for a busy machine.
        Assert.IsLessThan(1700, watch.ElapsedMilliseconds, $"answered after {watch.ElapsedMilliseconds} ms");
        Assert.AreEqual(before + 1, statistics.Abandoned);

        // The abandoned work keeps its slot until it really ends; wait for that so it does not load the next test.
        var function = (CSharpFunction)host.Services.GetRequiredService<Reconciler>().TryGetServed("stuck", 1)!.Function;
        for (var i = 0; i < 100 && function.InFlight > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.AreEqual(0, function.InFlight, "the abandoned invocation never gave its slot back");
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Invoke_ComputesPastTheLimit_AnsweredByTheWatchdogWhileOtherCallsAreServed()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("spinner", CSharpTestHost.Handler("var sw = System.Diagnostics.Stopwatch.StartNew(); while (sw.ElapsedMilliseconds < 3000) { } return \"late\";"), new { runtime = "csharp", methods = new[] { "GET" }, limits = new { timeoutMs = 200 } });
        await host.DeployAsync("quick", CSharpTestHost.Handler("return \"quick\";"), GetOnly);
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var before = statistics.Abandoned;

        var watch = Stopwatch.StartNew();
        var spun = await host.GetAsync("/fn/spinner");
        var answeredAfter = watch.ElapsedMilliseconds;
        var quick = await host.GetAsync("/fn/quick");
        var quickAfter = watch.ElapsedMilliseconds;

        Assert.AreEqual(504, spun.Status, spun.Body);
        Assert.AreEqual("spinner@1", spun.Version);
        StringAssert.Contains(spun.Body, "did not finish within 200 ms");
        Assert.IsLessThan(2_500, answeredAfter, $"answered after {answeredAfter} ms, not at the limit");
        Assert.AreEqual((200, "quick"), (quick.Status, quick.Body));
        Assert.IsLessThan(2_900, quickAfter, "another function waited for the stuck one");
        Assert.AreEqual(before + 1, statistics.Abandoned, "the abandoned work was not counted exactly once");

        // The stuck call keeps its slot until its loop really ends, then gives it back.
        var function = (CSharpFunction)host.Services.GetRequiredService<Reconciler>().TryGetServed("spinner", 1)!.Function;
        for (var i = 0; i < 200 && function.InFlight > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.AreEqual(0, function.InFlight);
        Assert.AreEqual(before + 1, statistics.Abandoned, "the late return counted the abandoned work again");
        Assert.AreEqual(504, (await host.GetAsync("/fn/spinner")).Status);
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Invoke_WaitedForASlotThenComputesPastTheLimit_Returns504AtTheLimit()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("queued", CSharpTestHost.Handler("""
            if (request.Query.ContainsKey("hold")) { await Task.Delay(400); return "held"; }
            var sw = System.Diagnostics.Stopwatch.StartNew(); while (sw.ElapsedMilliseconds < 4000) { } return "late";
            """), new { runtime = "csharp", methods = new[] { "GET" }, limits = new { timeoutMs = 1000, maxConcurrency = 1 } });

        var holder = host.GetAsync("/fn/queued?hold=1");
        var function = (CSharpFunction)host.Services.GetRequiredService<Reconciler>().TryGetServed("queued", 1)!.Function;
        // Holding the slot for 400 ms: a wait that missed it (the holder already done) goes on rather than timing out.
        await Eventually.WaitAsync(() => function.InFlight == 1 || holder.IsCompleted, "the holding call to take the only slot");
        var watch = Stopwatch.StartNew();
        var spun = await host.GetAsync("/fn/queued");
        watch.Stop();

        // It waited up to 400 ms for the slot, then ran past its 1 s limit without yielding: answered at the limit, not after 4 s.
        Assert.AreEqual(504, spun.Status, spun.Body);
        Assert.IsLessThan(3_500, watch.ElapsedMilliseconds, $"answered after {watch.ElapsedMilliseconds} ms");
        Assert.AreEqual(200, (await holder).Status);
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task TestInvoke_ComputesPastTheLimit_AnswersTheTimeoutAtTheLimit()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("drafty", CSharpTestHost.Handler("var sw = System.Diagnostics.Stopwatch.StartNew(); while (sw.ElapsedMilliseconds < 4000) { } return \"late\";"), new { runtime = "csharp", methods = new[] { "GET" }, limits = new { timeoutMs = 300 } });

        var watch = Stopwatch.StartNew();
        using var response = await host.Client.PostAsync("/needle/api/functions/drafty/versions/1/invoke", System.Net.Http.Json.JsonContent.Create(new { method = "GET", path = "/fn/drafty" }));
        var text = await response.Content.ReadAsStringAsync();
        watch.Stop();

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        Assert.AreEqual(504, JsonNode.Parse(text)!["status"]!.GetValue<int>(), text);
        Assert.IsLessThan(3_500, watch.ElapsedMilliseconds, $"answered after {watch.ElapsedMilliseconds} ms");
    }

    [TestMethod]
    public async Task Invoke_LargeStringUnderTheLimit_IsServedInFull()
    {
        await using var host = await TestHost.StartAsync();

        // 3.5 M characters: the JSON writer asks for three bytes a character (10.5 MB) but writes 3.5 MB, under the 8 MB default.
        await host.DeployAsync("big", CSharpTestHost.Handler("return new { text = new string('a', 3_500_000) };"), GetOnly);

        var (status, body, _) = await host.GetAsync("/fn/big");

        Assert.AreEqual(200, status, body.Length > 300 ? body[..300] : body);
        Assert.AreEqual(3_500_000, JsonNode.Parse(body)!["text"]!.GetValue<string>().Length);
    }

    [TestMethod]
    public async Task Invoke_TimeoutHonoured_Returns504WithoutAbandoning()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("polite", CSharpTestHost.Handler("await Task.Delay(5000, context.CancellationToken); return 1;"), new { runtime = "csharp", limits = new { timeoutMs = 200 } });
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;

        var (status, _, _) = await host.GetAsync("/fn/polite");

        Assert.AreEqual(504, status);
        Assert.AreEqual(0, statistics.Abandoned);
    }

    [TestMethod]
    public async Task Invoke_OverTheConcurrencyLimit_Returns503WithRetryAfter()
    {
        await using var host = await TestHost.StartAsync(o => o.QueueTimeout = TimeSpan.FromMilliseconds(100));
        await host.DeployAsync("narrow", CSharpTestHost.Handler("await Task.Delay(1500, context.CancellationToken); return 1;"), new { runtime = "csharp", limits = new { maxConcurrency = 1 } });

        var first = host.Client.GetAsync("/fn/narrow");
        var function = (CSharpFunction)host.Services.GetRequiredService<Reconciler>().TryGetServed("narrow", 1)!.Function;
        await Eventually.WaitAsync(() => function.InFlight == 1, "the first call to take the only slot");
        using var second = await host.Client.GetAsync("/fn/narrow");
        using var firstResponse = await first;

        Assert.AreEqual(HttpStatusCode.OK, firstResponse.StatusCode);
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.IsNotNull(second.Headers.RetryAfter);
    }

    [TestMethod]
    [DataRow("return new string('x', 5000);", DisplayName = "text")]
    [DataRow("return Enumerable.Range(0, 10_000_000).Select(i => new { id = i, name = \"item\" });", DisplayName = "endless JSON")]
    [DataRow("return new FunctionResponse { Body = new string('x', 5000) };", DisplayName = "response object")]
    public async Task Invoke_HugeResponse_IsRefusedAsInvalid(string body)
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("huge", CSharpTestHost.Handler(body), new { runtime = "csharp", limits = new { maxResponseKb = 4 } });

        var (status, text, _) = await host.GetAsync("/fn/huge");

        Assert.AreEqual(500, status, text);
        StringAssert.Contains(text, "larger than the function's limit of 4 KB");
    }

    [TestMethod]
    public async Task Deploy_StaticState_DoesNotLeakAcrossVersions()
    {
        await using var host = await TestHost.StartAsync();
        const string Counter = "return ++s_count;";
        const string Field = "private static int s_count;";
        await host.DeployAsync("counter", CSharpTestHost.Handler(Counter, Field), GetOnly);
        for (var i = 0; i < 3; i++)
        {
            await host.GetAsync("/fn/counter");
        }

        var v1 = await host.GetAsync("/fn/counter");
        await host.DeployAsync("counter", CSharpTestHost.Handler(Counter, Field + " // v2"), GetOnly);
        var v2 = await host.GetAsync("/fn/counter");
        await host.DeployAsync("counter", CSharpTestHost.Handler(Counter, Field + " // v2"), new { runtime = "csharp", methods = new[] { "GET" }, config = new { same = "image" } });
        var v3 = await host.GetAsync("/fn/counter");

        Assert.AreEqual(("4", "counter@1"), (v1.Body, v1.Version));
        Assert.AreEqual(("1", "counter@2"), (v2.Body, v2.Version));
        Assert.AreEqual(("1", "counter@3"), (v3.Body, v3.Version), "the same image loads into a fresh context per version");
    }

    [TestMethod]
    public async Task Deploy_Swaps_UnloadTheOldLoadContexts()
    {
        // No warm standby: every version a deploy replaces must unload (a warm one would stay loaded on purpose).
        await using var host = await TestHost.StartAsync(o => o.Releases.WarmVersions = 0);
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var weak = new List<WeakReference>();
        for (var i = 1; i <= 4; i++)
        {
            await host.DeployAsync("swapped", CSharpTestHost.Handler($"return new {{ version = {i}, items = new List<string> {{ \"a\" }} }};", "private static readonly object s_state = new();"), GetOnly);
            Assert.AreEqual(200, (await host.GetAsync("/fn/swapped")).Status);
            weak.Add(ContextOf(host, "swapped", i));
        }

        var collected = await CollectAsync(weak.Take(3).ToList());

        Assert.IsTrue(collected, "an old load context is still alive after the swaps");
        Assert.IsTrue(weak[3].IsAlive, "the serving version must stay loaded");
        Assert.AreEqual(statistics.Loaded - 1, statistics.Unloaded);
    }

    [TestMethod]
    public async Task Deploy_SameSourceAgain_CompilesOnceAndARestartCompilesNothing()
    {
        using var directory = TemporaryDirectory.Create();
        var source = CSharpTestHost.Handler("return \"cached\";");
        await using (var first = await TestHost.StartAsync(directory: directory.Path))
        {
            var statistics = first.Services.GetRequiredService<CSharpRuntime>().Statistics;
            await first.DeployAsync("cached", source, GetOnly);
            await first.DeployAsync("cached", source, new { runtime = "csharp", methods = new[] { "GET" }, config = new { changed = true } });
            await first.DeployAsync("cached-too", source, GetOnly);

            Assert.AreEqual(1, statistics.Compilations);
            Assert.AreEqual(2, statistics.CacheHits);
        }

        await using var second = await TestHost.StartAsync(directory: directory.Path);
        var restarted = second.Services.GetRequiredService<CSharpRuntime>().Statistics;
        var (status, body, version) = await second.GetAsync("/fn/cached");

        Assert.AreEqual((200, "cached", "cached@2"), (status, body, version));
        Assert.AreEqual(0, restarted.Compilations);
        Assert.AreEqual(1, restarted.StoreLoads);
    }

    [TestMethod]
    public async Task TestInvoke_CSharpVersion_ReturnsResponseAndLogs()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("tried", CSharpTestHost.Handler("context.Log.Warn(\"careful\"); return new { path = request.Path };"), GetOnly);

        using var response = await host.Client.PostAsync("/needle/api/functions/tried/versions/1/invoke", System.Net.Http.Json.JsonContent.Create(new { method = "GET", path = "/fn/tried" }));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, json.ToJsonString());
        StringAssert.Contains(json.ToJsonString(), "careful");
        StringAssert.Contains(json.ToJsonString(), "/fn/tried");
    }

    // Not inlined, so no strong reference to the loaded function outlives this frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ContextOf(TestHost host, string name, int number) =>
        ((CSharpFunction)host.Services.GetRequiredService<Reconciler>().TryGetServed(name, number)!.Function).ContextReference;

    private static async Task<bool> CollectAsync(List<WeakReference> references)
    {
        for (var attempt = 0; attempt < 20 && references.Any(r => r.IsAlive); attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(50);
        }

        return references.All(r => !r.IsAlive);
    }
}
