namespace Needle.Store.Sql;

/// <summary>An <c>audit</c> row as Dapper reads it.</summary>
internal sealed class AuditRow
{
    public const string Columns =
        "id AS Id, at AS At, actor AS Actor, action AS Action, function AS Function, version AS Version, " +
        "revision AS Revision, reason AS Reason, detail AS Detail";

    public long Id { get; set; }

    public string At { get; set; } = "";

    public string Actor { get; set; } = "";

    public string Action { get; set; } = "";

    public string? Function { get; set; }

    public long? Version { get; set; }

    public long? Revision { get; set; }

    public string? Reason { get; set; }

    public string? Detail { get; set; }

    public AuditEvent ToEvent() => new(
        Id,
        StoreTime.Parse(At),
        Actor,
        Action,
        Function,
        Version is { } version ? checked((int)version) : null,
        Revision,
        Reason,
        Detail);
}
