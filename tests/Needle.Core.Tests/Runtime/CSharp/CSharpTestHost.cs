using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Needle.Functions;
using Needle.Runtime;
using Needle.Runtime.CSharp;
using Needle.Runtime.Downstream;
using Needle.Store;
using Needle.Tests.Runtime.JavaScript;

namespace Needle.Tests.Runtime.CSharp;

/// <summary>Loads sources into the real C# runtime and invokes them the way the endpoint does.</summary>
internal static class CSharpTestHost
{
    // One runtime for the runtime-level tests: Roslyn's first compilation is slow, the later ones are not.
    private static readonly Lazy<CSharpRuntime> Shared = new(() => Runtime());

    public static CSharpRuntime SharedRuntime => Shared.Value;

    public static CSharpRuntime Runtime(INeedleStore? store = null, TimeSpan? queueTimeout = null, CSharpFunctionOptions? options = null) =>
        new(options ?? new CSharpFunctionOptions(), store, queueTimeout ?? TimeSpan.FromSeconds(1), NullLoggerFactory.Instance);

    public static FunctionVersion Version(string source, FunctionLimits? limits = null, JsonObject? config = null, string name = "hello", int number = 1) =>
        new(name, number, source, new FunctionManifest { Name = name, Runtime = FunctionRuntimes.CSharp, Limits = limits, Config = config }, "hash", "test", DateTimeOffset.UtcNow, null);

    public static async Task<CSharpFunction> LoadAsync(string source, FunctionLimits? limits = null, JsonObject? config = null, CSharpRuntime? runtime = null, int number = 1)
    {
        var version = Version(source, limits, config, number: number);
        var loaded = await (runtime ?? SharedRuntime).LoadAsync(version, ResolvedLimits.Resolve(version.Manifest.Limits, new FunctionLimits()), CancellationToken.None);
        return (CSharpFunction)loaded;
    }

    public static async Task<FunctionValidationException> LoadFailingAsync(string source)
    {
        try
        {
            await using var loaded = await LoadAsync(source);
            throw new AssertFailedException("Expected a validation failure.");
        }
        catch (FunctionValidationException ex)
        {
            return ex;
        }
    }

    public static Task<FunctionResponse> InvokeAsync(ILoadedFunction function, FunctionRequest? request = null, IDownstreamClient? downstream = null, List<FunctionLogEntry>? logs = null) =>
        JavaScriptTestHost.InvokeAsync(function, request, downstream, logs);

    public static Task<FunctionInvocationException> InvokeFailingAsync(ILoadedFunction function, FunctionRequest? request = null) =>
        JavaScriptTestHost.InvokeFailingAsync(function, request);

    /// <summary>A function class around <paramref name="body"/>, the body of <c>InvokeAsync</c> (async).</summary>
    public static string Handler(string body, string members = "") => $$"""
        public sealed class Handler : INeedleFunction
        {
            {{members}}
            public async Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
            {
                await Task.CompletedTask;
                {{body}}
            }
        }
        """;
}
