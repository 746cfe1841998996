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
        var invocation = activities.Single(a => a.OperationName == "needle.invoke" && (string?)a.GetTagItem(NeedleMetricNames.FunctionTag) == "tracer");
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

        var invocation = activities.Single(a => (string?)a.GetTagItem(NeedleMetricNames.FunctionTag) == "crash");
        Assert.AreEqual(ActivityStatusCode.Error, invocation.Status);
        Assert.AreEqual("error", invocation.GetTagItem(NeedleMetricNames.OutcomeTag));
    }

    private static Task<LoopbackServer> StartDownstreamAsync(ConcurrentQueue<string> seen) =>
        LoopbackServer.StartAsync(app => app.MapGet("/ping", (HttpRequest request) =>
        {
            seen.Enqueue(request.Headers["traceparent"].ToString());
            return "pong";
        }));
}
