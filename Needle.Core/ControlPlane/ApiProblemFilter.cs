using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Needle.Quality;
using Needle.Runtime;
using Needle.Store;

namespace Needle.ControlPlane;

/// <summary>
/// The one place where the control plane's refusals become problem details: a function or body that is invalid 400
/// (<c>Invalid function</c>, with its diagnostics), something unknown 404, a lost race or a state that does not allow
/// the change 409, a version failing its test cases 422 (<c>Tests failed</c>, with each failing case), no room to load a version now 503, a store that cannot be reached 503 with <c>Retry-After</c>
/// (<c>Store unavailable</c>: Needle's own store, or any database error of a contributor's that means its server is
/// gone), a refused argument 400 (titled by the endpoint's <see cref="ApiInvalidTitle"/>, else
/// <c>Invalid request</c>).
/// </summary>
/// <remarks>
/// Applied on the group <c>MapNeedleApi</c> maps, so every endpoint in it, <see cref="INeedleApiContributor"/>s'
/// included, answers its refusals the same way by throwing Needle's exceptions. Nothing runs here unless a handler
/// throws.
/// </remarks>
internal sealed class ApiProblemFilter : IEndpointFilter
{
    /// <summary>The title of a refused argument when the endpoint names none.</summary>
    public const string DefaultInvalidTitle = "Invalid request";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (FunctionValidationException ex)
        {
            return ApiProblems.Invalid(ex);
        }
        catch (TestsFailedException ex)
        {
            // The version does not do what its cases say: the change is refused, each failing case explained.
            return TypedResults.Problem(
                title: "Tests failed",
                detail: ex.Message,
                statusCode: StatusCodes.Status422UnprocessableEntity,
                extensions: new Dictionary<string, object?> { ["function"] = ex.Run.Function, ["version"] = ex.Run.Version, ["failures"] = ex.Failures });
        }
        catch (NeedleNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (LoadCapacityException ex)
        {
            // The node cannot load another version now: nothing changed, try later.
            return TypedResults.Problem(title: "Cannot load now", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (NeedleStoreUnavailableException ex)
        {
            return ApiProblems.StoreUnavailable(context.HttpContext, ex.Message, ex.RetryAfter);
        }
        catch (Exception ex) when ((ex is DbException || ex.InnerException is DbException) && StoreOutage.IsOutage(ex) && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // A contributor's own database (Rollback's state, Hangfire's storage) went away: the same answer.
            return ApiProblems.StoreUnavailable(context.HttpContext, $"A database behind this endpoint cannot be reached: {ex.Message}", TimeSpan.FromSeconds(5));
        }
        catch (NeedleConflictException ex)
        {
            return TypedResults.Problem(title: "Conflict", detail: ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (ArgumentException ex)
        {
            var title = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ApiInvalidTitle>()?.Title ?? DefaultInvalidTitle;
            return TypedResults.Problem(title: title, detail: ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }
}
