namespace Needle.Store;

/// <summary>A host instance and the revision it serves.</summary>
/// <param name="NodeId">The node's id.</param>
/// <param name="Revision">The revision it serves.</param>
/// <param name="UpdatedAt">When it last reported.</param>
public sealed record NodeRecord(string NodeId, long Revision, DateTimeOffset UpdatedAt);
