using System.Globalization;

namespace Needle.Benchmarks.Cluster;

/// <summary>What one run measures: the nodes, how many changes, and for the load run how many swaps and clients.</summary>
internal sealed record ClusterSettings(IReadOnlyList<Uri> Nodes, int Count, int Warmup, int Swaps, int Clients, string Label, string Function)
{
    public static ClusterSettings? Parse(string[] args, string? nodesFromEnvironment)
    {
        var nodes = nodesFromEnvironment;
        var (count, warmup, swaps, clients, label) = (100, 5, 0, 4, "");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--nodes": nodes = value; break;
                case "--count": count = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--swaps": swaps = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--label": label = value; break;
                default: return null;
            }
        }

        if (args.Length % 2 != 0 || string.IsNullOrWhiteSpace(nodes))
        {
            return null;
        }

        var uris = nodes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => new Uri(n.TrimEnd('/') + "/")).ToList();
        return uris.Count < 2 ? null : new ClusterSettings(uris, count, warmup, swaps, clients, label, "converge");
    }
}
