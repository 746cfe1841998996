using System.Globalization;

namespace Needle.Benchmarks.Soak;

/// <summary>What the host looked like at one moment of the soak.</summary>
internal readonly record struct SoakSample(TimeSpan At, string Phase, long RssBytes, long ManagedBytes, int ThreadPoolThreads, int OsThreads, long Requests, long WellBehavedFailed)
{
    public static SoakSample Take(TimeSpan at, string phase, long requests, long failed)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line[6..].Trim()[..^2].Trim(), CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line[8..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return new SoakSample(at, phase, rss, GC.GetTotalMemory(forceFullCollection: false), ThreadPool.ThreadCount, threads, requests, failed);
    }
}
