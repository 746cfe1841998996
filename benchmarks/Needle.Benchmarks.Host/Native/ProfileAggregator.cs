namespace Needle.Benchmarks.Host.Native;

/// <summary>aggregator.js in C#: a user and their orders fetched in parallel, shaped for the page.</summary>
internal sealed class ProfileAggregator(IHttpClientFactory clients)
{
    /// <summary>The named client for the mock backend, configured like Needle's downstream clients.</summary>
    public const string BackendClientName = "native-backend";

    public async Task<Profile> GetAsync(string id, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(BackendClientName);
        var userCall = client.GetFromJsonAsync<BackendUser>($"users/{id}", cancellationToken);
        var ordersCall = client.GetFromJsonAsync<BackendOrder[]>($"users/{id}/orders", cancellationToken);
        await Task.WhenAll(userCall, ordersCall);
        var user = await userCall ?? throw new InvalidOperationException($"The backend answered null for user {id}.");
        var orders = await ordersCall ?? [];

        // orders.reduce((sum, o) => sum + o.amount, 0): the same order of additions, so the same rounding.
        var total = 0.0;
        var open = 0;
        foreach (var order in orders)
        {
            total += order.Amount;
            open += order.Status == "open" ? 1 : 0;
        }

        return new Profile(
            user.Id,
            user.Name,
            user.Tier,
            new OrderSummary(orders.Length, open, Catalog.JsRound(total * 100) / 100),
            [.. orders.TakeLast(3).Reverse().Select(o => new RecentOrder(o.Id, o.Amount))]);
    }

    private sealed record BackendUser(int Id, string Name, string Tier);

    private sealed record BackendOrder(int Id, double Amount, string Status);
}
