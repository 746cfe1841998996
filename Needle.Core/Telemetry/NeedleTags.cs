using Needle.Releases;

namespace Needle.Telemetry;

/// <summary>Tag values that would otherwise be allocated per request: version numbers and role names.</summary>
internal static class NeedleTags
{
    private static readonly string[] Roles = ["stable", "canary", "pinned"];
    private static readonly string[] Numbers = Enumerable.Range(0, 1024).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public static string Role(ReleaseRole role) => Roles[(int)role];

    public static string Version(int number) =>
        (uint)number < (uint)Numbers.Length ? Numbers[number] : number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
