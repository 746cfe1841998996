using Microsoft.AspNetCore.Builder;

namespace Needle.ControlPlane;

/// <summary>
/// Endpoint metadata: the problem title <see cref="ApiProblemFilter"/> gives an argument the endpoint refused (for
/// example <c>Invalid patch</c>).
/// </summary>
internal sealed record ApiInvalidTitle(string Title);

/// <summary>Names the title of an endpoint's refused arguments.</summary>
internal static class ApiInvalidTitleExtensions
{
    public static TBuilder WithInvalidTitle<TBuilder>(this TBuilder builder, string title)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiInvalidTitle(title));
}
