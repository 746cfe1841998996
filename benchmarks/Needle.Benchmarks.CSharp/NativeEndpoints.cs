using System.Globalization;

namespace Needle.Benchmarks.CSharp;

/// <summary>The native minimal-API twins of the C# functions: the same work, without Needle.</summary>
internal static class NativeEndpoints
{
    private static readonly string[] Categories = ["tools", "garden", "kitchen", "toys"];

    private static readonly Product[] Catalog = Enumerable.Range(0, 100).Select(i => new Product(
        $"P-{i + 1:000}",
        $"Product {i + 1}",
        Categories[i % Categories.Length],
        Math.Round(((i * 37) % 100) * 1.5 + 5),
        (i * 13) % 25,
        ((i * 7) % 50) / 10.0)).ToArray();

    public static void MapNative(this WebApplication app)
    {
        app.MapGet("/native/hello", (string? name) => new { message = $"Hello, {(string.IsNullOrEmpty(name) ? "you" : name)}!" });
        app.MapGet("/native/products", (string? category, string? minRating) =>
        {
            var min = double.TryParse(minRating, CultureInfo.InvariantCulture, out var given) ? given : 0;
            var items = Catalog
                .Where(p => (string.IsNullOrEmpty(category) || p.Category == category) && p.Stock > 0 && p.Rating >= min)
                .OrderByDescending(p => p.Rating).ThenBy(p => p.Price)
                .Select(p => new Item(p.Sku, p.Title.ToUpperInvariant(), "$" + p.Price.ToString("F2", CultureInfo.InvariantCulture), p.Stock < 5))
                .ToList();
            return new { count = items.Count, items };
        });
    }

    private sealed record Product(string Sku, string Title, string Category, double Price, int Stock, double Rating);

    private sealed record Item(string Id, string Name, string Price, bool LowStock);
}
