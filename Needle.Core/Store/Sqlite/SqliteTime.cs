using System.Globalization;

namespace Needle.Store.Sqlite;

/// <summary>
/// Times are stored as ISO-8601 UTC text with all seven fractional digits: it round-trips a
/// <see cref="DateTimeOffset"/> to the tick, stays readable in the sqlite3 shell, and sorts as text.
/// </summary>
internal static class SqliteTime
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
