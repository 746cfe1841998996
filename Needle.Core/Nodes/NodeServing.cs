using System.Globalization;
using System.Text;
using Needle.Serving;

namespace Needle.Nodes;

/// <summary>
/// The compact form of what a node serves in its row of the node table (<see cref="Store.NodeRecord.Serving"/>):
/// <c>name=stable[+canary][!]</c> per function, ordered by name, comma-separated; <c>!</c> says the kill switch is on.
/// Function names (<c>[a-z0-9-]</c>) never hold the separators.
/// </summary>
internal static class NodeServing
{
    public static string Format(ServingSnapshot snapshot)
    {
        var text = new StringBuilder();
        foreach (var (name, release) in snapshot.Functions.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(name).Append('=').Append(release.Stable.Function.Version.Number.ToString(CultureInfo.InvariantCulture));
            if (release.Canary is { } canary)
            {
                text.Append('+').Append(canary.Function.Version.Number.ToString(CultureInfo.InvariantCulture));
            }

            if (release.Release.KillSwitch is not null)
            {
                text.Append('!');
            }
        }

        return text.ToString();
    }

    /// <summary>Reads the compact form; an entry that does not parse (written by another Needle version) is left out.</summary>
    public static IReadOnlyList<NodeFunction> Parse(string serving)
    {
        if (string.IsNullOrEmpty(serving))
        {
            return [];
        }

        var functions = new List<NodeFunction>();
        foreach (var entry in serving.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var versions = entry.AsSpan(equals + 1);
            var killed = versions.EndsWith("!", StringComparison.Ordinal);
            if (killed)
            {
                versions = versions[..^1];
            }

            var plus = versions.IndexOf('+');
            var stableText = plus < 0 ? versions : versions[..plus];
            if (!int.TryParse(stableText, NumberStyles.None, CultureInfo.InvariantCulture, out var stable))
            {
                continue;
            }

            int? canary = null;
            if (plus >= 0)
            {
                if (!int.TryParse(versions[(plus + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    continue;
                }

                canary = number;
            }

            functions.Add(new NodeFunction(entry[..equals], stable, canary, killed));
        }

        return functions;
    }
}
