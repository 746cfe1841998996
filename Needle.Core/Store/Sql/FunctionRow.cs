namespace Needle.Store.Sql;

/// <summary>A <c>functions</c> row as Dapper reads it.</summary>
internal sealed class FunctionRow
{
    public const string Columns =
        "name AS Name, created_at AS CreatedAt, deleted_at AS DeletedAt, latest_version AS LatestVersion";

    public string Name { get; set; } = "";

    public string CreatedAt { get; set; } = "";

    public string? DeletedAt { get; set; }

    public long LatestVersion { get; set; }

    public FunctionRecord ToRecord(ReleaseRecord? release) =>
        new(Name, StoreTime.Parse(CreatedAt), checked((int)LatestVersion), release);
}
