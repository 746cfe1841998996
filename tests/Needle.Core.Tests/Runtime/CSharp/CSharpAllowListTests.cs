using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>The allow-list and the entry class rule, through the real deploy API: refused at deploy, with the API and the place named.</summary>
[TestClass]
public sealed class CSharpAllowListTests : ClassHostTests<CSharpAllowListTests, TestHost>, IClassHost<TestHost>
{
    public static Task<TestHost> StartClassHostAsync() => TestHost.StartAsync();

    [TestMethod]
    [DataRow("System.IO.File.ReadAllText(\"/etc/passwd\");", "System.IO.File.ReadAllText", "file and directory access", DisplayName = "file read")]
    [DataRow("System.IO.Directory.GetFiles(\"/\");", "System.IO.Directory.GetFiles", "file and directory access", DisplayName = "directory listing")]
    [DataRow("using var s = new System.IO.FileStream(\"x\", System.IO.FileMode.Open);", "FileStream", "file and directory access", DisplayName = "file stream")]
    [DataRow("System.Diagnostics.Process.Start(\"sh\");", "Process", "", DisplayName = "process start")]
    [DataRow("var v = Environment.GetEnvironmentVariable(\"HOME\");", "System.Environment.GetEnvironmentVariable", "environment access and exit", DisplayName = "environment variable")]
    [DataRow("Environment.Exit(1);", "System.Environment.Exit", "environment access and exit", DisplayName = "exit")]
    [DataRow("Environment.FailFast(\"x\");", "System.Environment.FailFast", "environment access and exit", DisplayName = "fail fast")]
    [DataRow("var n = AppDomain.CurrentDomain.FriendlyName;", "System.AppDomain", "application domain", DisplayName = "app domain")]
    [DataRow("var a = System.Reflection.Emit.AssemblyBuilder.DefineDynamicAssembly(default!, default);", "AssemblyBuilder", "reflection", DisplayName = "reflection emit")]
    [DataRow("var a = System.Reflection.Assembly.Load(\"x\");", "System.Reflection.Assembly.Load", "reflection", DisplayName = "assembly load")]
    [DataRow("var c = new System.Runtime.Loader.AssemblyLoadContext(\"x\");", "AssemblyLoadContext", "assembly loading", DisplayName = "load context")]
    [DataRow("var t = Type.GetType(\"System.IO.File\");", "System.Type.GetType", "reflection", DisplayName = "type by name")]
    [DataRow("var m = typeof(string).GetMethods();", "System.Type.GetMethods", "reflection", DisplayName = "reflection members")]
    [DataRow("var o = Activator.CreateInstance(typeof(object));", "System.Activator", "reflection", DisplayName = "activator")]
    [DataRow("var p = System.Runtime.InteropServices.Marshal.AllocHGlobal(8);", "Marshal", "P/Invoke and Marshal", DisplayName = "marshal")]
    [DataRow("var l = System.Runtime.InteropServices.NativeLibrary.Load(\"libc\");", "NativeLibrary", "P/Invoke and Marshal", DisplayName = "native library")]
    [DataRow("var x = System.Runtime.CompilerServices.Unsafe.SizeOf<int>();", "Unsafe", "unsafe code", DisplayName = "Unsafe class")]
    [DataRow("new System.Threading.Thread(() => { }).Start();", "System.Threading.Thread", "thread creation", DisplayName = "thread")]
    [DataRow("System.Threading.ThreadPool.QueueUserWorkItem(_ => { });", "System.Threading.ThreadPool", "thread creation", DisplayName = "thread pool")]
    [DataRow("var t = new System.Threading.Timer(_ => { }, null, 0, 1000);", "System.Threading.Timer", "timers", DisplayName = "timer")]
    [DataRow("_ = Task.Factory.StartNew(() => { }, TaskCreationOptions.LongRunning);", "LongRunning", "thread creation", DisplayName = "long-running task")]
    [DataRow("GC.Collect();", "System.GC", "garbage collector", DisplayName = "GC")]
    [DataRow("Console.WriteLine(\"x\");", "Console", "", DisplayName = "console")]
    [DataRow("var c = new System.Net.Http.HttpClient();", "HttpClient", "", DisplayName = "HttpClient (not referenced)")]
    [DataRow("var s = new System.Net.Sockets.Socket(default, default, default);", "Sockets", "", DisplayName = "socket (not referenced)")]
    [DataRow("dynamic d = 1; return d;", "dynamic", "", DisplayName = "dynamic")]
    [DataRow("var s = JsonSerializer.Serialize(new { a = 1 });", "JsonSerializer.Serialize", "context.JsonOptions", DisplayName = "JSON default options")]
    [DataRow("var e = new Exception().TargetSite;", "TargetSite", "reflection", DisplayName = "reflection through a return type")]
    [DataRow("var f = new Action(() => { }).Method;", "Method", "reflection", DisplayName = "delegate method")]
    public async Task Deploy_ForbiddenApi_IsRefusedNamingTheApiAndLine(string statement, string api, string reason)
    {
        var source = CSharpTestHost.Handler(statement + "\n        return null;");

        var problem = await DeployFailingAsync("forbidden", source);

        var diagnostic = problem["diagnostics"]!.AsArray().First(d => d!["message"]!.GetValue<string>().Contains(api, StringComparison.Ordinal))!;
        StringAssert.Contains(diagnostic["message"]!.GetValue<string>(), reason);
        Assert.AreEqual(7, diagnostic["line"]!.GetValue<int>(), diagnostic.ToJsonString());
        Assert.IsGreaterThan(0, diagnostic["column"]!.GetValue<int>());
    }

    [TestMethod]
    [DataRow("public sealed class H : INeedleFunction { public unsafe Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) { int x = 1; int* p = &x; return Task.FromResult<object?>(*p); } }", "Unsafe code", DisplayName = "unsafe")]
    [DataRow("public sealed class H : INeedleFunction { [System.Runtime.InteropServices.DllImport(\"libc\")] static extern int getpid(); public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) => Task.FromResult<object?>(getpid()); }", "extern", DisplayName = "P/Invoke")]
    [DataRow("public sealed class H : INeedleFunction { [System.Runtime.InteropServices.DllImport(\"libc\")] static extern int getpid(); public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) => Task.FromResult<object?>(getpid()); }", "DllImport", DisplayName = "DllImport attribute")]
    public async Task Deploy_UnsafeOrExternCode_IsRefused(string source, string expected)
    {
        var problem = await DeployFailingAsync("native", source);

        var diagnostic = problem["diagnostics"]!.AsArray().First(d => d!["message"]!.GetValue<string>().Contains(expected, StringComparison.Ordinal))!;
        Assert.AreEqual(1, diagnostic["line"]!.GetValue<int>());
    }

    [TestMethod]
    public async Task Deploy_CompileError_ReturnsLineAndColumnAndKeepsTheServingVersion()
    {
        await Host.DeployAsync("broken", CSharpTestHost.Handler("return \"v1\";"), Manifest());

        var problem = await DeployFailingAsync("broken", CSharpTestHost.Handler("return undefinedThing;"));
        var (status, body, version) = await Host.GetAsync("/fn/broken");

        var diagnostic = problem["diagnostics"]![0]!;
        StringAssert.Contains(diagnostic["message"]!.GetValue<string>(), "CS0103");
        Assert.AreEqual(7, diagnostic["line"]!.GetValue<int>());
        Assert.AreEqual(16, diagnostic["column"]!.GetValue<int>());
        Assert.AreEqual("error", diagnostic["severity"]!.GetValue<string>());
        Assert.AreEqual((200, "v1", "broken@1"), (status, body, version));
    }

    [TestMethod]
    public async Task Deploy_NoEntryClass_IsRefused()
    {
        var problem = await DeployFailingAsync("none", "public sealed class NotAFunction { }");

        StringAssert.Contains(problem["detail"]!.GetValue<string>(), "no public class that implements INeedleFunction");
    }

    [TestMethod]
    public async Task Deploy_TwoEntryClasses_IsRefusedNamingBoth()
    {
        var one = "public sealed class One : INeedleFunction { public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) => Task.FromResult<object?>(1); }";
        var problem = await DeployFailingAsync("two", one + "\n" + one.Replace("One", "Two", StringComparison.Ordinal));

        var detail = problem["detail"]!.GetValue<string>();
        StringAssert.Contains(detail, "2 public classes");
        StringAssert.Contains(detail, "One, Two");
    }

    [TestMethod]
    public async Task Deploy_EntryClassWithoutParameterlessConstructor_IsRefused()
    {
        var problem = await DeployFailingAsync("ctor", "public sealed class H(int x) : INeedleFunction { public Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c) => Task.FromResult<object?>(x); }");

        StringAssert.Contains(problem["detail"]!.GetValue<string>(), "public parameterless constructor");
    }

    [TestMethod]
    public async Task Deploy_AllowedApis_Compile()
    {
        var source = CSharpTestHost.Handler("""
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var ms = new System.IO.MemoryStream(Encoding.UTF8.GetBytes("abc"));
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(ms.ToArray()));
            var list = new List<int> { 3, 1, 2 }.OrderBy(i => i).ToList();
            var node = JsonNode.Parse("{\"a\":1}")!;
            var text = JsonSerializer.Serialize(list, context.JsonOptions);
            var nl = Environment.NewLine;
            var name = typeof(string).Name;
            var encoded = System.Net.WebUtility.UrlEncode("a b");
            var rx = System.Text.RegularExpressions.Regex.IsMatch("abc", "b");
            await Task.Delay(1, context.CancellationToken);
            return new { hash = hash[..4], list, a = node["a"]!.GetValue<int>(), text, name, encoded, rx };
            """);

        await Host.DeployAsync("allowed", source, Manifest());
        var (status, body, _) = await Host.GetAsync("/fn/allowed");

        Assert.AreEqual(200, status, body);
        StringAssert.Contains(body, "\"name\":\"String\"");
        StringAssert.Contains(body, "\"encoded\":\"a+b\"");
    }

    private static object Manifest() => new { runtime = "csharp", methods = new[] { "GET" } };

    private static async Task<JsonNode> DeployFailingAsync(string name, string source)
    {
        using var response = await Host.TryDeployAsync(name, source, Manifest());
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        return JsonNode.Parse(text)!;
    }
}
