using System.Globalization;

namespace Needle.Rollback.State.Sql;

/// <summary>Times as the rollback tables store them, in SQLite and PostgreSQL alike: round-trip UTC text (to the tick, sorts as text).</summary>
internal static class StateTime
{
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
