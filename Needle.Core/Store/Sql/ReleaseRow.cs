namespace Needle.Store.Sql;

/// <summary>A <c>releases</c> (or <c>current_releases</c>) row as Dapper reads it.</summary>
internal sealed class ReleaseRow
{
    public const string Columns =
        "id AS Id, function AS Function, stable_version AS StableVersion, canary_version AS CanaryVersion, " +
        "canary_weight AS CanaryWeight, action AS Action, revision AS Revision, actor AS Actor, reason AS Reason, " +
        "created_at AS CreatedAt, pins AS Pins, kill_switch AS KillSwitch";

    public long Id { get; set; }

    public string Function { get; set; } = "";

    public long StableVersion { get; set; }

    public long? CanaryVersion { get; set; }

    public double CanaryWeight { get; set; }

    public string Action { get; set; } = "";

    public long Revision { get; set; }

    public string Actor { get; set; } = "";

    public string? Reason { get; set; }

    public string CreatedAt { get; set; } = "";

    public string? Pins { get; set; }

    public string? KillSwitch { get; set; }

    public ReleaseRecord ToRecord() => new(
        Id,
        Function,
        checked((int)StableVersion),
        CanaryVersion is { } canary ? checked((int)canary) : null,
        CanaryWeight,
        Action,
        Revision,
        Actor,
        Reason,
        StoreTime.Parse(CreatedAt),
        Pins is null ? null : System.Text.Json.JsonSerializer.Deserialize<string[]>(Pins),
        KillSwitch is null ? null : System.Text.Json.JsonSerializer.Deserialize<Releases.FallbackResponse>(KillSwitch, ManifestJsonOptions));

    private static System.Text.Json.JsonSerializerOptions ManifestJsonOptions => Functions.ManifestJson.Options;
}
