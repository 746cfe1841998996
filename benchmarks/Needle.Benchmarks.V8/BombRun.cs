using System.Diagnostics;
using System.Globalization;
using Microsoft.ClearScript.V8;

namespace Needle.Benchmarks.V8;

/// <summary>
/// Runs every memory bomb in every mode and profile, each in a child process (V8 ends the process that exceeds its
/// hard limits), watching the child's (and its worker's) resident memory: a child past <see cref="GuardMb"/> or
/// <see cref="Timeout"/> is killed by this guard, so an unconstrained bomb cannot take the shared machine down.
/// </summary>
internal static class BombRun
{
    /// <summary>The resident-memory ceiling of a child and its worker together.</summary>
    public const int GuardMb = 3072;

    /// <summary>How long a child may run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static int Run(string filter)
    {
        var cases = new List<(string Mode, string Kind, string Profile)>();
        foreach (var kind in Bombs.Sources.Keys)
        {
            cases.Add(("jint", kind, "limit-128"));
            foreach (var mode in new[] { "v8", "worker" })
            {
                foreach (var profile in V8Settings.Profiles.Keys)
                {
                    cases.Add((mode, kind, profile));
                }
            }
        }

        System.Console.WriteLine($"Profiles: jint limit-128 = Jint LimitMemory(128 MB) per call; {string.Join("; ", V8Settings.Profiles.Select(p => $"{p.Key} = {p.Value}"))}");
        using (var probe = new V8ScriptEngine())
        {
            System.Console.WriteLine($"ClearScript's default RuntimeHeapSizeSampleInterval: {probe.RuntimeHeapSizeSampleInterval.TotalMilliseconds} ms");
        }

        System.Console.WriteLine($"{Environment.ProcessorCount} CPUs; load average {LatencyRun.LoadAverage()}; guard {GuardMb} MB, {Timeout.TotalSeconds} s");
        System.Console.WriteLine("| mode | bomb | profile | child exit | armed → end ms | peak RSS MB | events (child stdout) | last stderr |");
        System.Console.WriteLine("|---|---|---|---|---:|---:|---|---|");
        foreach (var (mode, kind, profile) in cases.Where(c => $"{c.Mode}/{c.Kind}/{c.Profile}".Contains(filter, StringComparison.Ordinal)))
        {
            System.Console.WriteLine(RunOne(mode, kind, profile));
        }

        return 0;
    }

    private static string RunOne(string mode, string kind, string profile)
    {
        var start = SelfCommand.Create("bomb", mode, kind, profile);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var events = new List<string>();
        var stderr = new List<string>();
        long armedAt = 0;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (events)
            {
                if (e.Data == "armed")
                {
                    armedAt = Stopwatch.GetTimestamp();
                }
                else
                {
                    events.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && line.Trim() is { Length: > 1 } text)
            {
                lock (stderr)
                {
                    stderr.Add(text);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        long peak = 0;
        var guard = "";
        while (!process.WaitForExit(20))
        {
            var rss = TreeRssKb(process.Id);
            peak = Math.Max(peak, rss);
            if (rss > GuardMb * 1024L || clock.Elapsed > Timeout)
            {
                guard = rss > GuardMb * 1024L ? $"killed by the guard at {rss / 1024} MB" : "killed by the guard: timeout";
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                break;
            }
        }

        process.WaitForExit();
        var ended = Stopwatch.GetTimestamp();
        var exit = process.ExitCode;
        var exitText = exit > 128 && exit < 160 ? $"{exit} (signal {exit - 128})" : exit.ToString(CultureInfo.InvariantCulture);
        string eventText;
        lock (events)
        {
            eventText = string.Join("; ", events.Append(guard).Where(e => e.Length > 0));
        }

        string lastError;
        lock (stderr)
        {
            lastError = stderr.FirstOrDefault(l => l.Contains("Fatal", StringComparison.OrdinalIgnoreCase) || l.Contains("OOM", StringComparison.Ordinal) || l.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
                ?? stderr.LastOrDefault() ?? "";
        }

        var armedToEnd = armedAt == 0 ? "n/a" : Stopwatch.GetElapsedTime(armedAt, ended).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);
        return $"| {mode} | {kind} | {profile} | {exitText} | {armedToEnd} | {peak / 1024} | {eventText.Replace("|", "/", StringComparison.Ordinal)} | {Trim(lastError).Replace("|", "/", StringComparison.Ordinal)} |";
    }

    private static string Trim(string text) => text.Length > 120 ? text[..120] + "…" : text;

    /// <summary>The resident memory of a process and its descendants, in KB (0 once gone).</summary>
    private static long TreeRssKb(int pid)
    {
        long total = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    total += long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }

            foreach (var child in File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                total += TreeRssKb(int.Parse(child, CultureInfo.InvariantCulture));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return total;
    }
}
