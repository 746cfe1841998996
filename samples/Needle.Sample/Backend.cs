namespace Needle.Sample;

/// <summary>Stands in for the services a BFF aggregates: users and their orders.</summary>
internal static class Backend
{
    public static RouteGroupBuilder MapBackend(this IEndpointRouteBuilder endpoints, string prefix)
    {
        var backend = endpoints.MapGroup(prefix);
        backend.MapGet("/users/{id:int}", (int id) => new User(id, $"User {id}", id % 3 == 0 ? "gold" : "standard"));
        backend.MapGet("/users/{id:int}/orders", (int id) => Enumerable.Range(1, 1 + (id % 7))
            .Select(n => new Order(id * 100 + n, Math.Round(9.5 * n + id % 11, 2), n % 2 == 0 ? "shipped" : "open"))
            .ToArray());

        // A slow dependency for drills: answers after the given delay (at most 5 s).
        backend.MapGet("/delay/{ms:int}", async (int ms, CancellationToken cancellationToken) =>
        {
            await Task.Delay(Math.Clamp(ms, 0, 5000), cancellationToken);
            return new { ms };
        });
        return backend;
    }

    private sealed record User(int Id, string Name, string Tier);

    private sealed record Order(int Id, double Amount, string Status);
}
