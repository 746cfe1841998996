using System.Globalization;

namespace Needle.Rollback.State.Sqlite;

/// <summary>Times as the rollback tables store them: round-trip UTC text.</summary>
internal static class SqliteText
{
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
