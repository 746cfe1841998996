namespace Needle.Benchmarks.Host.Native;

/// <summary>
/// The three sample functions written as ordinary minimal-API endpoints: the baseline Needle is measured against.
/// Same inputs, same logic, same JSON as <c>samples/Needle.Sample/functions/{hello,transformer,aggregator}.js</c>.
/// </summary>
internal static class NativeFunctionsExtensions
{
    public static IServiceCollection AddNativeFunctions(this IServiceCollection services, Uri backendUrl)
    {
        services.AddHttpClient(ProfileAggregator.BackendClientName, client => client.BaseAddress = backendUrl);
        services.AddSingleton<ProfileAggregator>();
        return services;
    }

    public static RouteGroupBuilder MapNativeFunctions(this IEndpointRouteBuilder endpoints, string prefix)
    {
        var group = endpoints.MapGroup(prefix);

        // hello.js: `{ message: `Hello, ${req.query.name ?? "world"}!` }`. A repeated parameter is an array in JS,
        // whose string form joins with commas, as StringValues.ToString() does.
        group.MapGet("/hello", (HttpRequest request) =>
            new Greeting($"Hello, {(request.Query.TryGetValue("name", out var name) ? name.ToString() : "world")}!"));

        // transformer.js, GET only: the catalog is built once, as the function's module state is.
        group.MapGet("/products", (HttpRequest request) =>
            Catalog.Select(request.Query["category"].ToString(), Catalog.ParseMinRating(request.Query["minRating"])));

        // aggregator.js: two downstream calls in parallel through IHttpClientFactory, as ctx.fetch makes them.
        group.MapGet("/profile/{id}", (string id, ProfileAggregator aggregator, CancellationToken cancellationToken) =>
            aggregator.GetAsync(id, cancellationToken));

        return group;
    }
}
