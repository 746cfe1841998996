using System.Globalization;

namespace Needle.Benchmarks.Host.Native;

/// <summary>transformer.js in C#: the same 100 products, filtered, sorted and reshaped the same way.</summary>
internal static class Catalog
{
    private static readonly string[] Categories = ["tools", "garden", "kitchen", "toys"];

    private static readonly Product[] Products = [.. Enumerable.Range(0, 100).Select(i => new Product(
        $"P-{i + 1:000}",
        $"Product {i + 1}",
        Categories[i % Categories.Length],
        JsRound((i * 37 % 100 * 1.5) + 5),
        i * 13 % 25,
        i * 7 % 50 / 10.0))];

    public static ProductList Select(string category, double minRating)
    {
        var items = Products
            .Where(p => (category.Length == 0 || p.Category == category) && p.Stock > 0 && p.Rating >= minRating)
            .OrderByDescending(p => p.Rating)
            .ThenBy(p => p.Price)
            .Select(p => new ProductView(
                p.Sku,
                p.Title.ToUpperInvariant(),
                "$" + p.Price.ToString("F2", CultureInfo.InvariantCulture),
                p.Stock < 5))
            .ToArray();
        return new ProductList(items.Length, items);
    }

    /// <summary><c>Number(req.query.minRating ?? ctx.config.minRating ?? 0)</c> with the sample's config (0).</summary>
    public static double ParseMinRating(string? text) =>
        string.IsNullOrWhiteSpace(text) ? 0
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
        : double.NaN;

    // JavaScript's Math.round rounds halves up; Math.Round rounds them to even.
    internal static double JsRound(double value) => Math.Floor(value + 0.5);

    private sealed record Product(string Sku, string Title, string Category, double Price, int Stock, double Rating);
}
