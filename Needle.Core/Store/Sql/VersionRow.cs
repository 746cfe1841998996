using Needle.Functions;

namespace Needle.Store.Sql;

/// <summary>A <c>versions</c> row as Dapper reads it.</summary>
internal sealed class VersionRow
{
    public const string Columns =
        "function AS Function, number AS Number, source AS Source, manifest_json AS ManifestJson, " +
        "content_hash AS ContentHash, author AS Author, created_at AS CreatedAt, parent_number AS ParentNumber";

    public string Function { get; set; } = "";

    public long Number { get; set; }

    public string Source { get; set; } = "";

    public string ManifestJson { get; set; } = "";

    public string ContentHash { get; set; } = "";

    public string Author { get; set; } = "";

    public string CreatedAt { get; set; } = "";

    public long? ParentNumber { get; set; }

    public FunctionVersion ToVersion() => new(
        Function,
        checked((int)Number),
        Source,
        Functions.ManifestJson.Deserialize(ManifestJson),
        ContentHash,
        Author,
        StoreTime.Parse(CreatedAt),
        ParentNumber is { } parent ? checked((int)parent) : null);
}
