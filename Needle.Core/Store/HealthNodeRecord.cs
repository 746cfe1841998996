namespace Needle.Store;

/// <summary>A node that publishes health counts, and when it last did.</summary>
/// <param name="NodeId">The node's id.</param>
/// <param name="PublishedAt">Its last publication.</param>
public sealed record HealthNodeRecord(string NodeId, DateTimeOffset PublishedAt);
