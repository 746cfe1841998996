using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Needle.Functions;
using Needle.Routing;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;

namespace Needle.ControlPlane;

/// <summary>The control-plane HTTP API, mapped under the prefix given to <c>MapNeedleApi</c>.</summary>
internal static class NeedleApiEndpoints
{
    public const string GroupName = "needle";

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        var api = endpoints.MapGroup(prefix)
            .WithGroupName(GroupName)
            .WithTags("Needle")
            .AddEndpointFilter<ApiAccessFilter>();

        api.MapGet("/functions", ListFunctionsAsync).WithName("NeedleListFunctions").WithSummary("All functions with their release.");
        api.MapGet("/functions/{name}", GetFunctionAsync).WithName("NeedleGetFunction").WithSummary("One function with its versions and release.");
        api.MapDelete("/functions/{name}", DeleteFunctionAsync).WithName("NeedleDeleteFunction").WithSummary("Stops serving a function; its versions stay for the audit trail.");
        api.MapPost("/functions/{name}/versions", DeployAsync)
            .Accepts<DeployRequest>("application/json")
            .WithName("NeedleDeploy").WithSummary("Deploys a version (activated unless activate is false).");
        api.MapGet("/functions/{name}/versions/{number:int}", GetVersionAsync).WithName("NeedleGetVersion").WithSummary("A version's source, manifest and hash.");
        api.MapPost("/functions/{name}/versions/{number:int}/activate", ActivateAsync)
            .Accepts<ReasonRequest>("application/json")
            .WithName("NeedleActivate").WithSummary("Makes a version the stable one.");
        api.MapPost("/functions/{name}/versions/{number:int}/invoke", InvokeAsync)
            .Accepts<InvokeRequest>("application/json")
            .WithName("NeedleTestInvoke").WithSummary("Runs a version against a sample request; it takes no traffic.");
        api.MapPut("/functions/{name}/release", SetReleaseAsync)
            .Accepts<ReleaseRequest>("application/json")
            .WithName("NeedleSetRelease").WithSummary("Sets the whole release: stable, canary, weight, pins.");
        api.MapPost("/functions/{name}/canary", SetCanaryAsync)
            .Accepts<CanaryRequest>("application/json")
            .WithName("NeedleSetCanary").WithSummary("Runs a version as canary, or changes the canary's weight or pins.");
        api.MapPost("/functions/{name}/promote", PromoteAsync)
            .Accepts<ReasonRequest>("application/json")
            .WithName("NeedlePromote").WithSummary("The canary becomes the stable version.");
        api.MapPost("/functions/{name}/abort", AbortAsync)
            .Accepts<ReasonRequest>("application/json")
            .WithName("NeedleAbort").WithSummary("Removes the canary.");
        api.MapPost("/functions/{name}/rollback", RollbackAsync)
            .Accepts<RollbackRequest>("application/json")
            .WithName("NeedleRollback").WithSummary("Drops a canary, or returns the previous stable version; marks the version left bad. With async=true, a job where the host runs jobs (Needle.Rollback): 202.");
        api.MapPost("/functions/{name}/kill", KillAsync)
            .Accepts<KillRequest>("application/json")
            .WithName("NeedleKill").WithSummary("Kill switch on: every request gets the fallback response; no version runs.");
        api.MapDelete("/functions/{name}/kill", ReviveAsync)
            .WithName("NeedleRevive").WithSummary("Kill switch off: the release's versions serve again.");
        api.MapPost("/functions/{name}/patches", PatchAsync)
            .Accepts<Patching.PatchRequest>("application/json")
            .WithName("NeedlePatch").WithSummary("Emergency patch to all traffic: a diff, a source or a config against a stated base hash, or a kill switch. 201 when applied; 202 with the patch run when the host runs it as a watched job (Needle.Rollback).");
        api.MapGet("/functions/{name}/releases", ListReleasesAsync).WithName("NeedleListReleases").WithSummary("A function's release history, newest first.");
        api.MapGet("/audit", ListAuditAsync).WithName("NeedleAudit").WithSummary("The audit log, newest first.");
        api.MapGet("/nodes", ListNodesAsync).WithName("NeedleNodes").WithSummary("Which revision each node serves.");
        foreach (var contributor in endpoints.ServiceProvider.GetServices<INeedleApiContributor>())
        {
            contributor.Map(api);
        }

        api.MapOpenApi("/openapi/{documentName}.json");
        return api;
    }

    private static async Task<Ok<FunctionSummary[]>> ListFunctionsAsync(INeedleStore store, Reconciler reconciler, CancellationToken cancellationToken)
    {
        var functions = await store.ListFunctionsAsync(cancellationToken);
        return TypedResults.Ok(functions.Select(f => Summarise(f, reconciler)).ToArray());
    }

    private static async Task<Results<Ok<FunctionDetail>, ProblemHttpResult>> GetFunctionAsync(string name, INeedleStore store, Reconciler reconciler, CancellationToken cancellationToken)
    {
        var function = await store.GetFunctionAsync(name, cancellationToken);
        if (function is null)
        {
            return FunctionNotFound(name);
        }

        var versions = await store.ListVersionsAsync(name, cancellationToken);
        return TypedResults.Ok(new FunctionDetail(
            Summarise(function, reconciler),
            versions.Select(v => new VersionSummary(v.Number, v.ContentHash, v.Author, v.CreatedAt, v.ParentNumber)).ToArray()));
    }

    private static Task<IResult> DeployAsync(string name, HttpContext http, DeploymentService deployments, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<DeployRequest>(http.Request, required: true);
            var activate = body.Canary is null && (body.Activate ?? true);
            var outcome = await deployments.DeployAsync(new DeployCommand(name, body.Source, body.Manifest, access.ActorOf(http)) { Activate = activate, Reason = body.Reason, Canary = body.Canary }, cancellationToken);
            var number = outcome.Version.Number;
            var active = outcome.Release?.StableVersion == number || outcome.Release?.CanaryVersion == number || (outcome.Unchanged && activate);
            var response = new DeployResponse(name, number, outcome.Version.ContentHash, active, outcome.Revision, outcome.Unchanged, outcome.Warnings);
            return outcome.Unchanged
                ? TypedResults.Ok(response)
                : TypedResults.Created($"{http.Request.PathBase}{http.Request.Path}/{number}", response);
        });

    private static async Task<IResult> GetVersionAsync(string name, int number, INeedleStore store, CancellationToken cancellationToken)
    {
        var version = await store.GetVersionAsync(name, number, cancellationToken);
        return version is null ? VersionNotFound(name, number) : TypedResults.Ok(version);
    }

    private static async Task<IResult> ActivateAsync(string name, int number, HttpContext http, DeploymentService deployments, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        try
        {
            var body = await ApiRequestReader.ReadAsync<ReasonRequest>(http.Request, required: false);
            var release = await deployments.ActivateAsync(name, number, access.ActorOf(http), body.Reason, cancellationToken);
            return TypedResults.Ok(release);
        }
        catch (FunctionValidationException ex)
        {
            return Invalid(ex);
        }
        catch (NeedleNotFoundException ex)
        {
            return NotFound(ex.Message);
        }
        catch (LoadCapacityException ex)
        {
            return Unavailable(ex);
        }
    }

    private static async Task<IResult> InvokeAsync(string name, int number, HttpContext http, TestInvocationService testRuns, CancellationToken cancellationToken)
    {
        try
        {
            var sample = await ApiRequestReader.ReadAsync<InvokeRequest>(http.Request, required: false);
            var request = ToFunctionRequest(name, sample);
            var result = await testRuns.InvokeAsync(name, number, request, cancellationToken);
            return TypedResults.Ok(ToInvokeResponse(result));
        }
        catch (FunctionValidationException ex)
        {
            return Invalid(ex);
        }
        catch (NeedleNotFoundException ex)
        {
            return NotFound(ex.Message);
        }
        catch (LoadCapacityException ex)
        {
            return Unavailable(ex);
        }
    }

    private static async Task<IResult> DeleteFunctionAsync(string name, string? reason, HttpContext http, DeploymentService deployments, ApiAccessFilter access, CancellationToken cancellationToken)
    {
        try
        {
            var revision = await deployments.DeleteAsync(name, access.ActorOf(http), reason, cancellationToken);
            return TypedResults.Ok(new { function = name, revision });
        }
        catch (NeedleNotFoundException)
        {
            return FunctionNotFound(name);
        }
    }

    private static Task<IResult> SetReleaseAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<ReleaseRequest>(http.Request, required: true);
            var target = new ReleaseTarget(body.StableVersion, body.CanaryVersion, body.CanaryWeight, body.Pins, body.Force);
            return TypedResults.Ok(await releases.SetAsync(name, target, access.ActorOf(http), body.Reason, cancellationToken));
        });

    private static Task<IResult> SetCanaryAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<CanaryRequest>(http.Request, required: true);
            return TypedResults.Ok(await releases.SetCanaryAsync(name, body.Version, body.Weight, body.Pins, body.Force, access.ActorOf(http), body.Reason, cancellationToken));
        });

    private static Task<IResult> PromoteAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<ReasonRequest>(http.Request, required: false);
            return TypedResults.Ok(await releases.PromoteAsync(name, access.ActorOf(http), body.Reason, cancellationToken));
        });

    private static Task<IResult> AbortAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<ReasonRequest>(http.Request, required: false);
            return TypedResults.Ok(await releases.AbortAsync(name, access.ActorOf(http), body.Reason, cancellationToken));
        });

    private static Task<IResult> RollbackAsync(string name, bool? async, HttpContext http, IEmergencyActions actions, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<RollbackRequest>(http.Request, required: false);
            body.Async |= async == true;
            return Answer(http, name, await actions.RollbackAsync(name, body, access.ActorOf(http), cancellationToken));
        });

    private static Task<IResult> KillAsync(string name, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<KillRequest>(http.Request, required: true);
            if (body.Fallback is null || string.IsNullOrWhiteSpace(body.Reason))
            {
                throw new ArgumentException("A kill switch needs a fallback response ({status, body?, contentType?, headers?}) and a reason.");
            }

            return TypedResults.Ok(await releases.KillAsync(name, body.Fallback, access.ActorOf(http), body.Reason, cancellationToken));
        });

    private static Task<IResult> ReviveAsync(string name, string? reason, HttpContext http, ReleaseService releases, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () => TypedResults.Ok(await releases.ReviveAsync(name, access.ActorOf(http), reason, cancellationToken)));

    private static Task<IResult> PatchAsync(string name, HttpContext http, IEmergencyActions actions, ApiAccessFilter access, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            var body = await ApiRequestReader.ReadAsync<Patching.PatchRequest>(http.Request, required: true);
            return Answer(http, name, await actions.PatchAsync(name, body, access.ActorOf(http), cancellationToken));
        },
        invalidTitle: "Invalid patch");

    /// <summary>Turns an emergency action's outcome into the response, resolving its location against the API's prefix.</summary>
    private static IResult Answer(HttpContext http, string name, EmergencyOutcome outcome)
    {
        // The request path is {pathBase}{prefix}/functions/{name}/...; a name never contains "/functions/".
        var path = http.Request.Path.Value ?? "";
        var cut = path.LastIndexOf($"/functions/{name}/", StringComparison.Ordinal);
        var prefix = cut >= 0 ? path[..cut] : "";
        var location = outcome.Location is { } relative ? $"{http.Request.PathBase}{prefix}/{relative.TrimStart('/')}" : null;
        return outcome.StatusCode switch
        {
            StatusCodes.Status201Created => TypedResults.Created(location, outcome.Body),
            StatusCodes.Status202Accepted => TypedResults.Accepted(location, outcome.Body),
            _ => TypedResults.Ok(outcome.Body),
        };
    }

    /// <summary>
    /// Maps the control plane's refusals to problem details: invalid 400 (titled <paramref name="invalidTitle"/> when an
    /// argument was refused), unknown 404, conflicting 409, no room to load a version 503.
    /// </summary>
    private static async Task<IResult> GuardAsync(Func<Task<IResult>> action, string invalidTitle = "Invalid release")
    {
        try
        {
            return await action();
        }
        catch (FunctionValidationException ex)
        {
            return Invalid(ex);
        }
        catch (NeedleNotFoundException ex)
        {
            return NotFound(ex.Message);
        }
        catch (LoadCapacityException ex)
        {
            return Unavailable(ex);
        }
        catch (NeedleConflictException ex)
        {
            return TypedResults.Problem(title: "Conflict", detail: ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(title: invalidTitle, detail: ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<IResult> ListReleasesAsync(string name, int? limit, INeedleStore store, CancellationToken cancellationToken)
    {
        if (await store.GetFunctionAsync(name, cancellationToken) is null)
        {
            return FunctionNotFound(name);
        }

        return TypedResults.Ok(await store.ListReleasesAsync(name, Math.Clamp(limit ?? 50, 1, 1000), cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<AuditEvent>>> ListAuditAsync(string? function, int? limit, long? before, INeedleStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAuditAsync(new AuditQuery(function, Math.Clamp(limit ?? 100, 1, 1000), before), cancellationToken));

    private static async Task<Ok<IReadOnlyList<NodeRecord>>> ListNodesAsync(INeedleStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListNodesAsync(cancellationToken));

    private static FunctionSummary Summarise(FunctionRecord function, Reconciler reconciler)
    {
        reconciler.Current.TryGetValue(function.Name, out var entry);
        string? loadError = null;
        if (function.Release is { } release)
        {
            reconciler.LoadErrors.TryGetValue($"{function.Name}@{release.StableVersion}", out loadError);
        }

        var manifest = entry?.Manifest;
        return new FunctionSummary(
            function.Name,
            manifest?.Route,
            manifest?.Methods?.ToArray(),
            manifest?.Runtime,
            function.LatestVersion,
            function.Release,
            entry?.Stable.Function.Version.Label,
            loadError);
    }

    private static FunctionRequest ToFunctionRequest(string name, InvokeRequest sample)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var (key, value) in sample.Headers ?? [])
        {
            headers[key] = value;
        }

        string? body = sample.BodyText;
        string? contentType = headers.ContentType.Count > 0 ? headers.ContentType.ToString() : null;
        if (sample.Body is not null)
        {
            body = sample.Body.ToJsonString();
            contentType ??= "application/json";
        }

        return new FunctionRequest
        {
            Method = (sample.Method ?? "GET").ToUpperInvariant(),
            Path = sample.Path ?? "/" + name,
            RouteValues = new Microsoft.AspNetCore.Routing.RouteValueDictionary(sample.Params?.ToDictionary(p => p.Key, p => (object?)p.Value) ?? []),
            Query = new QueryCollection((sample.Query ?? []).ToDictionary(q => q.Key, q => new StringValues(q.Value))),
            Headers = headers,
            Body = body,
            ContentType = contentType,
        };
    }

    private static InvokeResponse ToInvokeResponse(TestInvocationResult result)
    {
        var duration = result.Duration.TotalMilliseconds;
        if (result.Failure is { } failure)
        {
            var (status, title) = InvocationProblems.Classify(failure);
            return new InvokeResponse(status, new Dictionary<string, string>(), null, duration, result.Logs, $"{title}: {failure.Message}");
        }

        var response = result.Response!;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in response.Headers)
        {
            headers[key] = value;
        }

        if (response.ContentType is not null && !headers.ContainsKey("content-type"))
        {
            headers["content-type"] = response.ContentType;
        }

        JsonElement? body = null;
        var text = response.BodyText;
        response.ReturnUtf8Buffer();
        if (text is not null)
        {
            body = headers.TryGetValue("content-type", out var type) && type.Contains("json", StringComparison.OrdinalIgnoreCase) && TryParse(text, out var json)
                ? json
                : JsonSerializer.SerializeToElement(text);
        }

        return new InvokeResponse(response.StatusCode, headers, body, duration, result.Logs, null);
    }

    private static bool TryParse(string text, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    private static ProblemHttpResult Invalid(FunctionValidationException ex) =>
        TypedResults.Problem(
            title: "Invalid function",
            detail: ex.Message,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["diagnostics"] = ex.Diagnostics });

    private static ProblemHttpResult FunctionNotFound(string name) => NotFound($"Function '{name}' does not exist.");

    private static ProblemHttpResult VersionNotFound(string name, int number) => NotFound($"Function '{name}' has no version {number}.");

    // The node cannot load another version now (see LoadCapacityException): nothing changed, try later.
    private static ProblemHttpResult Unavailable(LoadCapacityException ex) =>
        TypedResults.Problem(title: "Cannot load now", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);
}
