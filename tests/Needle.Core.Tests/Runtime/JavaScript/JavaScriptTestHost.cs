using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Needle.Functions;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Runtime.JavaScript;

namespace Needle.Tests.Runtime.JavaScript;

/// <summary>Loads sources into the real runtime and invokes them the way the endpoint does.</summary>
internal static class JavaScriptTestHost
{
    public static JavaScriptRuntime Runtime(TimeSpan? queueTimeout = null) =>
        new(NullLoggerFactory.Instance, queueTimeout ?? JavaScriptRuntime.DefaultQueueTimeout);

    public static FunctionVersion Version(string source, FunctionLimits? limits = null, JsonObject? config = null, string name = "hello") =>
        new(name, 1, source, new FunctionManifest { Name = name, Limits = limits, Config = config }, "hash", "test", DateTimeOffset.UtcNow, null);

    public static async Task<JavaScriptFunction> LoadAsync(string source, FunctionLimits? limits = null, JsonObject? config = null, TimeSpan? queueTimeout = null)
    {
        var version = Version(source, limits, config);
        var loaded = await Runtime(queueTimeout).LoadAsync(version, ResolvedLimits.Resolve(version.Manifest.Limits, new FunctionLimits()), CancellationToken.None);
        return (JavaScriptFunction)loaded;
    }

    public static FunctionRequest Get(string path = "/hello") => new() { Method = "GET", Path = path };

    public static async Task<FunctionResponse> InvokeAsync(
        ILoadedFunction function,
        FunctionRequest? request = null,
        IDownstreamClient? downstream = null,
        List<FunctionLogEntry>? logs = null,
        string requestId = "req-1",
        TimeSpan? timeout = null)
    {
        // The call's deadline: the function's timeout unless told.
        var budget = timeout ?? function.Limits.Timeout;
        using var deadline = new CancellationTokenSource(budget);
        var context = new InvocationContext(function.Version, requestId, NullLogger.Instance, downstream ?? new TestDownstreamClient(), function.Limits, budget, deadline.Token, logs);
        return await function.InvokeAsync(request ?? Get(), context);
    }

    public static async Task<FunctionInvocationException> InvokeFailingAsync(ILoadedFunction function, FunctionRequest? request = null, IDownstreamClient? downstream = null)
    {
        try
        {
            var response = await InvokeAsync(function, request, downstream);
            throw new AssertFailedException($"Expected a failure, got {response.StatusCode}: {response.Body}");
        }
        catch (FunctionInvocationException ex)
        {
            return ex;
        }
    }

    public static async Task<FunctionValidationException> LoadFailingAsync(string source)
    {
        try
        {
            await LoadAsync(source);
            throw new AssertFailedException("Expected a validation failure.");
        }
        catch (FunctionValidationException ex)
        {
            return ex;
        }
    }

    public static HeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            dictionary.Append(name, value);
        }

        return dictionary;
    }
}
