namespace Needle.Benchmarks.Host.Native;

/// <summary>What <c>/native/products</c> answers: <c>{ count, items }</c>.</summary>
internal sealed record ProductList(int Count, IReadOnlyList<ProductView> Items);

/// <summary>One reshaped product: <c>{ id, name, price, lowStock }</c>.</summary>
internal sealed record ProductView(string Id, string Name, string Price, bool LowStock);
