using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Needle.Observability.Tests.Infrastructure;
using Needle.Telemetry;

namespace Needle.Observability.Tests.Tracing;

/// <summary>Invocation spans, fetch spans and W3C trace context to a real downstream.</summary>
[TestClass]
public sealed class InvocationTracingTests
{
    [TestMethod]
    public async Task Invoke_WithFetch_DownstreamSeesTheInvocationsTraceParent()
    {
        var seen = new ConcurrentQueue<string>();
        await using var downstream = await StartDownstreamAsync(seen);
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == NeedleMetricNames.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await TestHost.StartAsync(needle: n => n.AddDownstream("traced", downstream.Address));
        await host.DeployAsync("tracer", "export default async (req, ctx) => (await ctx.fetch('http://traced/ping')).text();", new { services = new[] { "traced" } });

        var (status, body, _) = await host.GetAsync("/fn/tracer");

        Assert.AreEqual(200, status, body);
        var invocation = await StoppedAsync(activities, a => a.OperationName == "needle.invoke" && (string?)a.GetTagItem(NeedleMetricNames.FunctionTag) == "tracer", "the tracer's needle.invoke span");
        Assert.AreEqual("success", invocation.GetTagItem(NeedleMetricNames.OutcomeTag));
        Assert.AreEqual("1", invocation.GetTagItem(NeedleMetricNames.VersionTag));
        var fetch = activities.Single(a => a.OperationName == "needle.fetch" && a.TraceId == invocation.TraceId);
        Assert.AreEqual(invocation.SpanId, fetch.ParentSpanId);
        Assert.AreEqual(200, fetch.GetTagItem("http.response.status_code"));
        var traceParent = seen.Single();
        Assert.AreEqual(invocation.TraceId.ToHexString(), traceParent.Split('-')[1], traceParent);
    }

    [TestMethod]
    public async Task Invoke_Failing_MarksTheSpanAsError()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == NeedleMetricNames.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("crash", "export default () => { throw new Error('nope'); };");

        Assert.AreEqual(500, (await host.GetAsync("/fn/crash")).Status);

        var invocation = await StoppedAsync(activities, a => (string?)a.GetTagItem(NeedleMetricNames.FunctionTag) == "crash", "the crash's span");
        Assert.AreEqual(ActivityStatusCode.Error, invocation.Status);
        Assert.AreEqual("error", invocation.GetTagItem(NeedleMetricNames.OutcomeTag));
    }

    /// <summary>
    /// The one stopped span that <paramref name="match"/> picks. The invocation's span ends after its response is sent, so
    /// the client can have the answer before the listener has the span: wait for it, then it must be the only one.
    /// </summary>
    private static async Task<Activity> StoppedAsync(ConcurrentQueue<Activity> activities, Func<Activity, bool> match, string what)
    {
        var stopped = await Eventually.ValueAsync(
            () => Task.FromResult(activities.Where(match).ToList()),
            spans => spans.Count > 0,
            what + " to stop");
        return stopped.Single();
    }

    private static Task<LoopbackServer> StartDownstreamAsync(ConcurrentQueue<string> seen) =>
        LoopbackServer.StartAsync(app => app.MapGet("/ping", (HttpRequest request) =>
        {
            seen.Enqueue(request.Headers["traceparent"].ToString());
            return "pong";
        }));
}
