namespace Needle.Benchmarks.Host.Native;

/// <summary>What <c>/native/profile/{id}</c> answers.</summary>
internal sealed record Profile(int Id, string Name, string Tier, OrderSummary Orders, IReadOnlyList<RecentOrder> Recent);

/// <summary><c>{ count, open, total }</c> of a user's orders.</summary>
internal sealed record OrderSummary(int Count, int Open, double Total);

/// <summary>One of the last three orders, newest first.</summary>
internal sealed record RecentOrder(int Id, double Amount);
