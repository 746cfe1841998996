using System.Net;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.DependencyInjection;
using Needle.Functions;
using Needle.Runtime.CSharp;
using Needle.Store;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>
/// Images in the store are checked again when they load: an image with a module initialiser, or one whose source
/// breaks this build's rules, never loads, however it got there.
/// </summary>
[TestClass]
public sealed class CSharpStoredImageCheckTests
{
    private const string Usings = "using System; using System.Threading.Tasks; using Needle.Functions; using Needle.Runtime;\n";

    [TestMethod]
    public async Task Deploy_StoredImageWithAModuleInitializer_IsNotLoadedAndTheSourceIsCompiled()
    {
        await using var host = await TestHost.StartAsync();
        var source = Usings + Entry("clean");
        var forged = Compile(Usings + Entry("forged") + """

            namespace System.Runtime.CompilerServices { internal sealed class ModuleInitializerAttribute : Attribute { } }
            internal static class Init { [System.Runtime.CompilerServices.ModuleInitializer] internal static void Run() { } }
            """);
        await SaveArtifactAsync(host, source, forged);
        var statistics = host.Services.GetRequiredService<CSharpRuntime>().Statistics;

        await host.DeployAsync("forged", source, Manifest());
        var (status, body, _) = await host.GetAsync("/fn/forged");

        Assert.AreEqual((200, "clean"), (status, body));
        Assert.AreEqual(1, statistics.Compilations);
        Assert.AreEqual(0, statistics.StoreLoads);
    }

    [TestMethod]
    public async Task Deploy_StoredImageOfASourceThatBreaksTheRules_IsRefusedWithTheSourcesDiagnostics()
    {
        await using var host = await TestHost.StartAsync();
        var source = Usings + Entry("ran", "_ = Task.Run(() => { });");
        await SaveArtifactAsync(host, source, Compile(source));

        using var response = await host.TryDeployAsync("stale", source, Manifest());
        var text = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, "Task.Run");
        Assert.AreEqual(404, (await host.GetAsync("/fn/stale")).Status);
    }

    private static string Entry(string answer, string statement = "") => $$"""
        public sealed class Handler : INeedleFunction
        {
            public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context) { {{statement}} return Task.FromResult<object?>("{{answer}}"); }
        }
        """;

    // Compiles the way an older build or another writer might have, without Needle's checks.
    private static byte[] Compile(string source)
    {
        var references = CSharpReferences.Create(new CSharpFunctionOptions());
        var compilation = CSharpCompilation.Create(
            CSharpCompiler.AssemblyName,
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.IsTrue(result.Success, string.Join("\n", result.Diagnostics));
        return image.ToArray();
    }

    private static async Task SaveArtifactAsync(TestHost host, string source, byte[] assembly)
    {
        var key = host.Services.GetRequiredService<CSharpRuntime>().ImageKey(source);
        await host.Services.GetRequiredService<INeedleStore>()
            .SaveArtifactAsync(key, FunctionRuntimes.CSharp, new CSharpImage(assembly, []).ToArtifact(), CancellationToken.None);
    }

    private static object Manifest() => new { runtime = "csharp", methods = new[] { "GET" } };
}
