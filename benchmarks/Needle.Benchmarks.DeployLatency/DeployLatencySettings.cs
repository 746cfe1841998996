using System.Globalization;

namespace Needle.Benchmarks.DeployLatency;

/// <summary>The command line: the host, how many measured deploys, how many warm-up deploys, which function, and the mode (deploy or rollback).</summary>
internal sealed record DeployLatencySettings(Uri HostUrl, int Count, int Warmup, string Function, bool Rollback = false)
{
    public static DeployLatencySettings? Parse(string[] args)
    {
        var url = "http://127.0.0.1:5302";
        var count = 100;
        var warmup = 5;
        var function = "deploy-probe";
        var rollback = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--url" when value is not null:
                    url = value;
                    break;
                case "--count" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0:
                    count = n;
                    break;
                case "--warmup" when int.TryParse(value, CultureInfo.InvariantCulture, out var w) && w >= 0:
                    warmup = w;
                    break;
                case "--function" when value is not null:
                    function = value;
                    break;
                case "--rollback":
                    rollback = true;
                    continue;
                default:
                    return null;
            }

            i++;
        }

        return new DeployLatencySettings(new Uri(url), count, warmup, function, rollback);
    }
}
