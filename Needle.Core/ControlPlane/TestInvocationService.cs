using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Routing;
using Needle.Runtime;
using Needle.Runtime.Downstream;
using Needle.Serving;
using Needle.Store;

namespace Needle.ControlPlane;

/// <summary>
/// Test runs: a version answers a sample request without taking traffic. A version that serves here runs as it
/// serves (its engines, its limits); any other is loaded for the one run and disposed after it.
/// </summary>
internal sealed class TestInvocationService
{
    private readonly INeedleStore _store;
    private readonly VersionLoader _loader;
    private readonly Reconciler _reconciler;
    private readonly IDownstreamClient _downstream;
    private readonly FunctionSecrets _secrets;
    private readonly NeedleOptions _options;
    private readonly ILogger _functionLogger;

    public TestInvocationService(
        INeedleStore store,
        VersionLoader loader,
        Reconciler reconciler,
        IDownstreamClient downstream,
        IOptions<NeedleOptions> options,
        ILoggerFactory loggerFactory,
        FunctionSecrets secrets)
    {
        _store = store;
        _loader = loader;
        _reconciler = reconciler;
        _downstream = downstream;
        _secrets = secrets;
        _options = options.Value;
        _functionLogger = loggerFactory.CreateLogger("Needle.Functions");
    }

    /// <summary>Runs a version against a sample request without it taking traffic; returns the response and the log lines.</summary>
    public async Task<TestInvocationResult> InvokeAsync(string name, int number, FunctionRequest request, CancellationToken cancellationToken)
    {
        var version = await _store.GetVersionAsync(name, number, cancellationToken).ConfigureAwait(false)
            ?? throw new NeedleNotFoundException($"Function '{name}' has no version {number}.");
        return await WithFunctionAsync(version, null, function => RunAsync(version, function, request, _downstream, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="run"/> with <paramref name="version"/> loaded: <paramref name="loaded"/> when given (a
    /// deploy's candidate), else the instance this node serves, else one loaded for the run and disposed after it.
    /// </summary>
    public async Task<T> WithFunctionAsync<T>(FunctionVersion version, ILoadedFunction? loaded, Func<ILoadedFunction, Task<T>> run, CancellationToken cancellationToken)
    {
        if (loaded is not null)
        {
            return await run(loaded).ConfigureAwait(false);
        }

        var served = _reconciler.TryGetServed(version.Name, version.Number);
        var serving = served is not null && served.TryEnter() ? served.Function : null;
        var function = serving ?? await _loader.LoadAsync(version, cancellationToken).ConfigureAwait(false);
        try
        {
            return await run(function).ConfigureAwait(false);
        }
        finally
        {
            if (serving is null)
            {
                await function.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                served!.Exit();
            }
        }
    }

    /// <summary>One test run of a loaded version, its fetches going to <paramref name="downstream"/>, under the version's timeout and limits.</summary>
    public async Task<TestInvocationResult> RunAsync(FunctionVersion version, ILoadedFunction function, FunctionRequest request, IDownstreamClient downstream, CancellationToken cancellationToken)
    {
        var logs = new List<FunctionLogEntry>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(function.Limits.Timeout);
        using var context = new InvocationContext(version, "test-" + Guid.NewGuid().ToString("n")[..12], _functionLogger, downstream, function.Limits, function.Limits.Timeout, timeout.Token, logs, _secrets.For(function.Version));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await function.InvokeAsync(request, context).ConfigureAwait(false);
            ResponseRules.Check(response, _options, sandboxed: version.Manifest.Sandbox is not false);
            return new TestInvocationResult(response, null, Stopwatch.GetElapsedTime(started), logs);
        }
        catch (FunctionInvocationException ex)
        {
            return new TestInvocationResult(null, ex, Stopwatch.GetElapsedTime(started), logs);
        }
    }
}

/// <summary>The outcome of a test invocation: a response or a failure, with duration and logs.</summary>
internal sealed record TestInvocationResult(FunctionResponse? Response, FunctionInvocationException? Failure, TimeSpan Duration, IReadOnlyList<FunctionLogEntry> Logs);
