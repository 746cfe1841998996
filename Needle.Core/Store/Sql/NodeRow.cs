namespace Needle.Store.Sql;

/// <summary>A <c>nodes</c> row as Dapper reads it.</summary>
internal sealed class NodeRow
{
    public const string Columns = "node_id AS NodeId, revision AS Revision, updated_at AS UpdatedAt, serving AS Serving";

    public string NodeId { get; set; } = "";

    public long Revision { get; set; }

    public string UpdatedAt { get; set; } = "";

    public string Serving { get; set; } = "";

    public NodeRecord ToRecord() => new(NodeId, Revision, StoreTime.Parse(UpdatedAt), Serving);
}
