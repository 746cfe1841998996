using System.Globalization;
using System.Text;

namespace Needle.Benchmarks.Soak;

/// <summary>The soak's markdown: settings, samples over time, the well-behaved functions' failures and p99s, and what the abusive ones got.</summary>
internal static class SoakReport
{
    public static string Markdown(
        double minutes,
        TimeSpan quiet,
        TimeSpan every,
        int workers,
        IReadOnlyList<SoakSample> samples,
        SoakTraffic traffic,
        IReadOnlyList<(string Name, int Status, double Seconds)> refusals)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Soak: {SoakFunctions.Served.Count + SoakFunctions.Refused.Count} functions ({SoakFunctions.Served.Count(f => f.WellBehaved)} well-behaved, {SoakFunctions.Served.Count(f => !f.WellBehaved)} abusive served, {SoakFunctions.Refused.Count} C# refused at deploy), {quiet.TotalSeconds:F0} s quiet then {minutes:F1} min of mixed traffic, {workers} well-behaved and {workers} abusive workers, a sample every {every.TotalSeconds:F0} s; {Environment.ProcessorCount} CPUs.");
        text.AppendLine();
        text.AppendLine("| at | phase | RSS MB | managed heap MB | thread pool threads | OS threads | requests | well-behaved failed |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in samples)
        {
            text.AppendLine(c, $"| {s.At:mm\\:ss} | {s.Phase} | {s.RssBytes >> 20} | {s.ManagedBytes >> 20} | {s.ThreadPoolThreads} | {s.OsThreads} | {s.Requests} | {s.WellBehavedFailed} |");
        }

        var soak = samples.Where(s => s.Phase != "quiet").ToList();
        text.AppendLine();
        text.AppendLine("| measure | quiet host | soak |");
        text.AppendLine("|---|---:|---:|");
        text.AppendLine(c, $"| `{SoakFunctions.Probe}` p99 (ms) | {P99(traffic.QuietProbe):F1} | {P99(traffic.SoakProbe):F1} |");
        text.AppendLine(c, $"| `{SoakFunctions.Probe}` calls | {traffic.QuietProbe.Count} | {traffic.SoakProbe.Count} |");
        text.AppendLine(c, $"| RSS MB (max) | {Max(samples.Where(s => s.Phase == "quiet"), s => s.RssBytes >> 20)} | {Max(soak, s => s.RssBytes >> 20)} |");
        text.AppendLine(c, $"| thread pool threads (max) | {Max(samples.Where(s => s.Phase == "quiet"), s => s.ThreadPoolThreads)} | {Max(soak, s => s.ThreadPoolThreads)} |");
        text.AppendLine(c, $"| well-behaved requests failed (target 0) | | {traffic.WellBehavedFailed} |");
        text.AppendLine();
        text.AppendLine("| function | answers (status × count) |");
        text.AppendLine("|---|---|");
        foreach (var function in SoakFunctions.Served)
        {
            var answers = traffic.Answers.Where(a => a.Key.Name == function.Name).OrderBy(a => a.Key.Status).Select(a => $"{a.Key.Status} × {a.Value}");
            text.AppendLine(c, $"| {function.Name}{(function.WellBehaved ? "" : " (abusive)")} | {string.Join(", ", answers)} |");
        }

        foreach (var group in refusals.GroupBy(r => r.Name))
        {
            text.AppendLine(c, $"| {group.Key} (deploy) | {string.Join(", ", group.GroupBy(r => r.Status).Select(g => $"{g.Key} × {g.Count()}"))}, slowest {group.Max(r => r.Seconds):F1} s |");
        }

        return text.ToString();
    }

    private static double P99(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.99) - 1)];
    }

    private static long Max(IEnumerable<SoakSample> samples, Func<SoakSample, long> value) => samples.Select(value).DefaultIfEmpty(0).Max();
}
