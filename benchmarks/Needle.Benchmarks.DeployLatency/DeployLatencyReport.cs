using System.Globalization;
using System.Text;

namespace Needle.Benchmarks.DeployLatency;

/// <summary>Median, p90 and max of the samples, for people and (the RESULT line) for run.sh.</summary>
internal static class DeployLatencyReport
{
    public static string Format(DeployLatencySettings settings, IReadOnlyList<DeploySample> samples)
    {
        var deploy = samples.Select(s => s.DeployMs).Order().ToArray();
        var serving = samples.Select(s => s.ToServingMs).Order().ToArray();
        var firstPoll = samples.Count(s => s.Polls == 1);
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{samples.Count} deploys of '{settings.Function}' to {settings.HostUrl} (after {settings.Warmup} warm-up deploys)");
        text.AppendLine(c, $"deploy call:       median {Percentile(deploy, 50):0.00} ms, p90 {Percentile(deploy, 90):0.00} ms, max {deploy[^1]:0.00} ms");
        text.AppendLine(c, $"deploy-to-serving: median {Percentile(serving, 50):0.00} ms, p90 {Percentile(serving, 90):0.00} ms, max {serving[^1]:0.00} ms");
        text.AppendLine(c, $"first request after the deploy returned already served the new version: {firstPoll}/{samples.Count}");
        text.AppendLine(c, $"RESULT deploy_median_ms={Percentile(deploy, 50):0.00} deploy_p90_ms={Percentile(deploy, 90):0.00} serving_median_ms={Percentile(serving, 50):0.00} serving_p90_ms={Percentile(serving, 90):0.00} serving_max_ms={serving[^1]:0.00} first_poll={firstPoll}/{samples.Count}");
        return text.ToString();
    }

    public static string FormatRollback(DeployLatencySettings settings, IReadOnlyList<DeploySample> samples)
    {
        var call = samples.Select(s => s.DeployMs).Order().ToArray();
        var serving = samples.Select(s => s.ToServingMs).Order().ToArray();
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{samples.Count} rollbacks of '{settings.Function}' on {settings.HostUrl} (after {settings.Warmup} warm-up rounds)");
        text.AppendLine(c, $"rollback call:                   median {Percentile(call, 50):0.00} ms, p90 {Percentile(call, 90):0.00} ms, max {call[^1]:0.00} ms");
        text.AppendLine(c, $"call start to old version serving: median {Percentile(serving, 50):0.00} ms, p90 {Percentile(serving, 90):0.00} ms, max {serving[^1]:0.00} ms");
        text.AppendLine(c, $"RESULT rollback_call_median_ms={Percentile(call, 50):0.00} rollback_serving_median_ms={Percentile(serving, 50):0.00} rollback_serving_p90_ms={Percentile(serving, 90):0.00} rollback_serving_max_ms={serving[^1]:0.00}");
        return text.ToString();
    }

    // Linear interpolation between closest ranks over sorted values.
    private static double Percentile(double[] sorted, double percent)
    {
        var rank = percent / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
