using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Needle.Functions;
using Needle.Releases;
using static Needle.Telemetry.NeedleMetricNames;

namespace Needle.Telemetry;

/// <summary>
/// The <c>Needle</c> activity source: one span per invocation and one per <c>ctx.fetch</c>. Starting one returns
/// <see langword="null"/> when nobody listens, so untraced hosts pay one check.
/// </summary>
internal static class NeedleActivities
{
    public static readonly ActivitySource Source = new(ActivitySourceName);

    public static Activity? StartInvocation(FunctionVersion version, ReleaseRole role, HttpContext http)
    {
        var activity = Source.StartActivity("needle.invoke", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = "invoke " + version.Name;
            activity.SetTag(FunctionTag, version.Name);
            activity.SetTag(VersionTag, NeedleTags.Version(version.Number));
            activity.SetTag(RoleTag, NeedleTags.Role(role));
            activity.SetTag(InvocationIdTag, http.TraceIdentifier);
        }

        return activity;
    }

    public static void Finish(Activity activity, InvocationOutcome outcome, string? error)
    {
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag(OutcomeTag, InvocationOutcomes.Name(outcome));
        if (InvocationOutcomes.IsError(outcome))
        {
            activity.SetTag(ErrorTypeTag, InvocationOutcomes.Name(outcome));
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    public static Activity? StartFetch(string service, string method, Uri url)
    {
        var activity = Source.StartActivity("needle.fetch", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = method + " " + service;
            activity.SetTag(ServiceTag, service);
            activity.SetTag("http.request.method", method);
            activity.SetTag("server.address", service);
            activity.SetTag("url.path", url.AbsolutePath);
        }

        return activity;
    }
}
