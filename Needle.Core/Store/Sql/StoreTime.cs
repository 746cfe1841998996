using System.Globalization;

namespace Needle.Store.Sql;

/// <summary>
/// Times are stored as ISO-8601 UTC text with all seven fractional digits, in SQLite and PostgreSQL alike: it
/// round-trips a <see cref="DateTimeOffset"/> to the tick (PostgreSQL's <c>timestamptz</c> keeps microseconds, so a
/// record would read back differently from each store), stays readable in sqlite3 and psql, sorts as text, and
/// keeps one row mapping for both. Nothing in the store does date arithmetic in SQL.
/// </summary>
internal static class StoreTime
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
