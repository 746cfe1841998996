using System.Globalization;
using System.Text;

namespace Needle.Benchmarks.Cluster;

/// <summary>The figures as Markdown table rows, in the shape of docs/benchmarks.md.</summary>
internal static class ClusterReport
{
    public static string Format(ClusterSettings settings, List<ConvergenceSample> deploys, List<ConvergenceSample> rollbacks)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Convergence on {settings.Nodes.Count} nodes {settings.Label}: from the API call's return until every node serves the change (ms)");
        text.AppendLine("| changes | n | median | p90 | p99 | max | API call median |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        Row(text, "deploys", deploys);
        Row(text, "rollbacks", rollbacks);
        Row(text, "all", [.. deploys, .. rollbacks]);
        return text.ToString();
    }

    public static string FormatLoad(ClusterSettings settings, LoadResult load)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Load during {load.Swaps.Count} deploy/rollback swaps on {settings.Nodes.Count} nodes {settings.Label}, {settings.Clients} client loops per node:");
        text.AppendLine(CultureInfo.InvariantCulture, $"{load.Requests} requests in {load.Seconds:0.0} s ({load.Requests / load.Seconds:0} req/s), {load.Failed} failed");
        text.AppendLine("| changes | n | median | p90 | p99 | max | API call median |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        Row(text, "swaps under load", load.Swaps);
        foreach (var error in load.Errors)
        {
            text.AppendLine("error: " + error);
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string label, List<ConvergenceSample> samples)
    {
        var converged = samples.Select(s => s.ConvergedMs).Order().ToList();
        var calls = samples.Select(s => s.CallMs).Order().ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {samples.Count} | {At(converged, 0.5):0.0} | {At(converged, 0.9):0.0} | {At(converged, 0.99):0.0} | {converged[^1]:0.0} | {At(calls, 0.5):0.0} |");
    }

    // Nearest rank.
    private static double At(List<double> sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
}
