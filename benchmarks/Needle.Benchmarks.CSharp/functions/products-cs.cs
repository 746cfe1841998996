// The C# transformer: filter, sort and reshape 100 products, as samples/Needle.Sample/functions/transformer.js does.
// The catalog is static: built once per version (statics belong to the version's load context).
public sealed class Products : INeedleFunction
{
    private static readonly string[] Categories = ["tools", "garden", "kitchen", "toys"];

    private static readonly Product[] Catalog = Enumerable.Range(0, 100).Select(i => new Product(
        $"P-{i + 1:000}",
        $"Product {i + 1}",
        Categories[i % Categories.Length],
        Math.Round(((i * 37) % 100) * 1.5 + 5),
        (i * 13) % 25,
        ((i * 7) % 50) / 10.0)).ToArray();

    public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
    {
        var category = request.Query["category"].ToString();
        var minRating = double.TryParse(request.Query["minRating"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var given)
            ? given
            : context.Config.TryGetProperty("minRating", out var configured) ? configured.GetDouble() : 0;
        var items = Catalog
            .Where(p => (category.Length == 0 || p.Category == category) && p.Stock > 0 && p.Rating >= minRating)
            .OrderByDescending(p => p.Rating).ThenBy(p => p.Price)
            .Select(p => new Item(p.Sku, p.Title.ToUpperInvariant(), "$" + p.Price.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), p.Stock < 5))
            .ToList();
        return Task.FromResult<object?>(new { count = items.Count, items });
    }

    private sealed record Product(string Sku, string Title, string Category, double Price, int Stock, double Rating);

    private sealed record Item(string Id, string Name, string Price, bool LowStock);
}
