using System.Net;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>
/// The code that ends, hangs or leaks out of the host process (issue #12, cases 8–11) is refused at deploy through the
/// real API, with the place named, whatever form names it (aliases, <c>global::</c>, method groups, implicit calls);
/// the host stays up and keeps serving.
/// </summary>
[TestClass]
public sealed class CSharpContainmentTests : ClassHostTests<CSharpContainmentTests, TestHost>, IClassHost<TestHost>
{
    public static async Task<TestHost> StartClassHostAsync()
    {
        var host = await TestHost.StartAsync();
        await host.DeployAsync("healthy", CSharpTestHost.Handler("return \"ok\";"), Manifest());
        return host;
    }

    [TestMethod]
    // Case 8: the process ended by the call.
    [DataRow("Action a = async () => { await Task.Yield(); throw new InvalidOperationException(); }; a();", "async lambda converted", DisplayName = "async lambda as Action")]
    [DataRow("new List<int> { 1 }.ForEach(async i => { await Task.Yield(); throw new InvalidOperationException(); });", "async lambda converted", DisplayName = "async lambda as Action<T> (method argument)")]
    [DataRow("async void Local() { await Task.Yield(); throw new InvalidOperationException(); } Local();", "'async void' local function ('Local')", DisplayName = "async void local function")]
    [DataRow("Span<byte> b = stackalloc byte[100_000_000]; b[0] = 1;", "'stackalloc'", DisplayName = "stackalloc, large")]
    [DataRow("Span<int> b = stackalloc[] { 1, 2 }; b[0] = 1;", "'stackalloc'", DisplayName = "stackalloc, implicit")]
    [DataRow("System.Diagnostics.Debug.Fail(\"x\");", "Debug.Fail", DisplayName = "Debug.Fail")]
    [DataRow("global::System.Diagnostics.Debug.Assert(false);", "Debug.Assert", DisplayName = "Debug.Assert, global::")]
    [DataRow("System.Diagnostics.Trace.Fail(\"x\");", "Trace", DisplayName = "Trace.Fail")]
    [DataRow("System.Diagnostics.Debugger.Break();", "Debugger", DisplayName = "Debugger.Break")]
    // Case 9: work that outlives the call.
    [DataRow("_ = Task.Run(() => { while (true) { } });", "Task.Run", DisplayName = "Task.Run")]
    [DataRow("_ = Task.Factory.StartNew(() => { while (true) { } }, (TaskCreationOptions)2);", "Task.Factory", DisplayName = "StartNew with a cast option")]
    [DataRow("_ = Task<int>.Factory.StartNew(() => 1);", "Factory", DisplayName = "Task<T>.Factory")]
    [DataRow("var t = new Task(() => { }); t.Start();", "Task.Task(System.Action)", DisplayName = "new Task")]
    [DataRow("Task t = new(() => { });", "Task.Task(System.Action)", DisplayName = "new Task, target-typed")]
    [DataRow("_ = Task.Delay(1).ContinueWith(_ => { while (true) { } });", "ContinueWith", DisplayName = "ContinueWith")]
    [DataRow("Func<Action, Task> run = Task.Run; _ = run(() => { });", "Task.Run", DisplayName = "Task.Run as a method group")]
    [DataRow("Parallel.For(0, 4, i => { });", "Parallel", DisplayName = "Parallel.For")]
    [DataRow("var s = new[] { 1, 2 }.AsParallel().Sum();", "AsParallel", DisplayName = "PLINQ, extension form")]
    [DataRow("Task.Yield().GetAwaiter().OnCompleted(() => { while (true) { } });", "OnCompleted", DisplayName = "awaiter OnCompleted")]
    [DataRow("new SynchronizationContext().Post(_ => { }, null);", "SynchronizationContext", DisplayName = "SynchronizationContext.Post")]
    [DataRow("var t = TimeProvider.System.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1));", "CreateTimer", DisplayName = "TimeProvider timer")]
    [DataRow("var s = TaskScheduler.Default;", "TaskScheduler", DisplayName = "TaskScheduler")]
    [DataRow("using var p = new PeriodicTimer(TimeSpan.FromSeconds(1));", "PeriodicTimer", DisplayName = "PeriodicTimer")]
    [DataRow("var ms = new System.IO.MemoryStream(); ms.BeginRead(new byte[1], 0, 1, _ => { }, null);", "BeginRead", DisplayName = "APM callback")]
    [DataRow("Microsoft.Extensions.Primitives.ChangeToken.OnChange(() => null!, () => { });", "ChangeToken", DisplayName = "ChangeToken.OnChange")]
    // Case 10: other functions' data and process-wide registrations.
    [DataRow("var b = System.Buffers.ArrayPool<byte>.Shared.Rent(16);", "Shared", DisplayName = "ArrayPool.Shared")]
    [DataRow("using var m = System.Buffers.MemoryPool<byte>.Shared.Rent();", "Shared", DisplayName = "MemoryPool.Shared")]
    [DataRow("Encoding.RegisterProvider(null!);", "RegisterProvider", DisplayName = "Encoding.RegisterProvider")]
    [DataRow("System.Security.Cryptography.CryptoConfig.AddAlgorithm(typeof(string), \"x\");", "CryptoConfig", DisplayName = "CryptoConfig.AddAlgorithm")]
    [DataRow("System.Text.RegularExpressions.Regex.CacheSize = 1;", "CacheSize", DisplayName = "Regex.CacheSize")]
    [DataRow("AppContext.SetSwitch(\"x\", true);", "AppContext", DisplayName = "AppContext.SetSwitch")]
    [DataRow("AppDomain.CurrentDomain.UnhandledException += (_, _) => { };", "AppDomain", DisplayName = "AppDomain event")]
    [DataRow("Console.SetOut(new System.IO.StringWriter());", "Console", DisplayName = "Console.SetOut")]
    [DataRow("var m = System.Runtime.GCSettings.LatencyMode;", "GCSettings", DisplayName = "GCSettings")]
    [DataRow("dynamic d = 1; d.Foo();", "dynamic", DisplayName = "dynamic")]
    public async Task Deploy_CodeThatEndsOrOutlivesTheCall_IsRefusedWithLineAndColumn(string statement, string expected)
    {
        var problem = await DeployFailingAsync(CSharpTestHost.Handler(statement + "\n        return null;"));

        var diagnostic = Find(problem, expected);
        Assert.AreEqual(7, diagnostic["line"]!.GetValue<int>(), diagnostic.ToJsonString());
        Assert.IsGreaterThan(0, diagnostic["column"]!.GetValue<int>());
        await AssertHostServesAsync();
    }

    [TestMethod]
    [DataRow("using X = System.Threading.Tasks.Task;\n", "_ = X.Run(() => { });", "Task.Run", 8, DisplayName = "alias of Task")]
    [DataRow("using D = System.Diagnostics.Debug;\n", "D.Fail(\"x\");", "Debug", 1, DisplayName = "alias of Debug")]
    [DataRow("#define DEBUG\n", "System.Diagnostics.Debug.Fail(\"x\");", "Debug.Fail", 8, DisplayName = "#define DEBUG then Debug.Fail")]
    [DataRow("#define TRACE\n", "System.Diagnostics.Trace.Assert(false);", "Trace", 8, DisplayName = "#define TRACE then Trace.Assert")]
    [DataRow("using static System.Threading.Tasks.Task;\n", "_ = Run(() => { });", "Task.Run", 8, DisplayName = "using static Task")]
    public async Task Deploy_RefusedApiUnderAnotherName_IsRefused(string header, string statement, string expected, int line)
    {
        var problem = await DeployFailingAsync(header + CSharpTestHost.Handler(statement + "\n        return null;"));

        var diagnostic = Find(problem, expected);
        Assert.AreEqual(line, diagnostic["line"]!.GetValue<int>(), diagnostic.ToJsonString());
        await AssertHostServesAsync();
    }

    [TestMethod]
    public async Task Deploy_AsyncVoidMethod_IsRefusedAtItsDeclaration()
    {
        var source = CSharpTestHost.Handler(
            "Boom();\n        return null;",
            "private async void Boom() { await Task.Yield(); throw new InvalidOperationException(\"x\"); }");

        var problem = await DeployFailingAsync(source);

        var diagnostic = Find(problem, "'async void' method ('Boom')");
        Assert.AreEqual(3, diagnostic["line"]!.GetValue<int>());
        Assert.AreEqual(5, diagnostic["column"]!.GetValue<int>());
        await AssertHostServesAsync();
    }

    [TestMethod]
    public async Task Deploy_InlineArray_IsRefused()
    {
        // A sibling of stackalloc: a local of a large inline array overflows the stack as the method starts.
        var source = CSharpTestHost.Handler("var big = new Big(); big[0] = 1;\n        return null;")
            + "\n[System.Runtime.CompilerServices.InlineArray(100_000_000)] public struct Big { private byte _b; }";

        var problem = await DeployFailingAsync(source);

        Assert.AreEqual(11, Find(problem, "inline arrays")["line"]!.GetValue<int>());
        await AssertHostServesAsync();
    }

    [TestMethod]
    public async Task Deploy_Finalizer_IsRefused()
    {
        var problem = await DeployFailingAsync(CSharpTestHost.Handler("return null;", "~Handler() { while (true) { } }"));

        var diagnostic = Find(problem, "A finalizer");
        Assert.AreEqual(3, diagnostic["line"]!.GetValue<int>());
        await AssertHostServesAsync();
    }

    [TestMethod]
    [DataRow("System.Runtime.CompilerServices", DisplayName = "System.*")]
    [DataRow("Microsoft.Extensions.Hosting", DisplayName = "Microsoft.*")]
    [DataRow("Needle.Functions", DisplayName = "Needle.*")]
    [DataRow("System", DisplayName = "System")]
    public async Task Deploy_TypeInAReservedNamespace_IsRefused(string ns)
    {
        var source = $"namespace {ns} {{ public sealed class Helper {{ }} }}\n" + CSharpTestHost.Handler("return null;");

        var problem = await DeployFailingAsync(source);

        var diagnostic = Find(problem, $"'{ns}'");
        Assert.AreEqual(1, diagnostic["line"]!.GetValue<int>());
        Assert.AreEqual(1, diagnostic["column"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Deploy_SpoofedModuleInitializerAttribute_IsRefused()
    {
        // Case 11: the compiler honours a ModuleInitializerAttribute declared by the source itself.
        var source = """
            namespace System.Runtime.CompilerServices { public sealed class ModuleInitializerAttribute : Attribute { } }
            public static class Init { [System.Runtime.CompilerServices.ModuleInitializer] public static void Run() { while (true) { } } }
            """ + "\n" + CSharpTestHost.Handler("return null;");

        var problem = await DeployFailingAsync(source);

        Assert.AreEqual(1, Find(problem, "namespace of the framework")["line"]!.GetValue<int>());
        Assert.AreEqual(2, Find(problem, "module initializer")["line"]!.GetValue<int>());
        await AssertHostServesAsync();
    }

    [TestMethod]
    public async Task Deploy_ModuleInitializerThroughAnAlias_IsRefused()
    {
        var source = "using MI = System.Runtime.CompilerServices.ModuleInitializerAttribute;\n"
            + "public static class Init { [MI] public static void Run() { } }\n"
            + CSharpTestHost.Handler("return null;");

        var problem = await DeployFailingAsync(source);

        Assert.AreEqual(1, Find(problem, "ModuleInitializerAttribute")["line"]!.GetValue<int>());
        Assert.AreEqual(2, Find(problem, "A module initializer")["line"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Deploy_WhatRemainsAllowed_Serves()
    {
        // The honest forms next to the refused ones: awaited tasks, a private pool, small local buffers as arrays.
        var source = CSharpTestHost.Handler("""
            var pool = System.Buffers.ArrayPool<byte>.Create();
            var rented = pool.Rent(8);
            pool.Return(rented);
            var all = await Task.WhenAll(Task.FromResult(1), Task.FromResult(3));
            var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            tcs.SetResult(2);
            await Task.Yield();
            return new { sum = all.Sum() + await tcs.Task };
            """);

        await Host.DeployAsync("allowed-async", source, Manifest());
        var (status, body, _) = await Host.GetAsync("/fn/allowed-async");

        Assert.AreEqual((200, """{"sum":6}"""), (status, body));
    }

    private static JsonNode Find(JsonNode problem, string expected) =>
        problem["diagnostics"]!.AsArray().FirstOrDefault(d => d!["message"]!.GetValue<string>().Contains(expected, StringComparison.Ordinal))
        ?? throw new AssertFailedException($"No diagnostic mentions '{expected}': {problem.ToJsonString()}");

    private static async Task AssertHostServesAsync()
    {
        var (status, body, _) = await Host.GetAsync("/fn/healthy");
        Assert.AreEqual((200, "ok"), (status, body));
    }

    private static object Manifest() => new { runtime = "csharp", methods = new[] { "GET" } };

    private static async Task<JsonNode> DeployFailingAsync(string source)
    {
        using var response = await Host.TryDeployAsync("contained", source, Manifest());
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        return JsonNode.Parse(text)!;
    }
}
