using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Needle.Benchmarks.JavaScript;

/// <summary>
/// Issue #18's "transformer through HTTP vs the same Jint engine in process" at full load: one host
/// (<see cref="JavaScriptTransformerHttpBenchmarks"/>'s: Kestrel on 127.0.0.1, the sample's transformer deployed), and
/// rounds that alternate the same loaded version called in process (the call and its write; then Needle's endpoint handler, no Kestrel) by as many workers as the machine has cores, as
/// fast as they can, with wrk through HTTP (-t2 -c64, or CONNECTIONS) on the same machine. Prints calls per second per round and the
/// median ratio. <c>dotnet run -c Release --project benchmarks/Needle.Benchmarks -- transformer-throughput [rounds] [seconds]</c>.
/// </summary>
internal static partial class TransformerThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var bench = new JavaScriptTransformerHttpBenchmarks();
        bench.Setup();
        try
        {
            var url = new Uri(bench.Address, "/fn/products?category=tools");
            var inProcess = new List<double>();
            var endpoint = new List<double>();
            var http = new List<double>();
            await InProcessAsync(bench.NewInProcessCaller, 2);
            await InProcessAsync(bench.NewEndpointCaller, 2);
            Wrk(url, 2);
            for (var round = 1; round <= rounds; round++)
            {
                inProcess.Add(await InProcessAsync(bench.NewInProcessCaller, seconds));
                endpoint.Add(await InProcessAsync(bench.NewEndpointCaller, seconds));
                http.Add(Wrk(url, seconds));
                var fixedBody = Wrk(new Uri(bench.Address, "/fixed"), seconds);
                System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: in process {inProcess[^1]:F0} calls/s, endpoint handler in process {endpoint[^1]:F0} calls/s, through HTTP {http[^1]:F0} req/s (a fixed body from the same host {fixedBody:F0} req/s), ratio {http[^1] / inProcess[^1]:F3}"));
            }

            var ratios = inProcess.Zip(http, (a, b) => b / a).Order().ToList();
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: in process {Median(inProcess):F0} calls/s, endpoint handler {Median(endpoint):F0} calls/s, through HTTP {Median(http):F0} req/s; through HTTP / in process {ratios[ratios.Count / 2]:F3} (per round {string.Join(", ", inProcess.Zip(http, (a, b) => (b / a).ToString("F3", CultureInfo.InvariantCulture)))})"));
            return 0;
        }
        finally
        {
            bench.Cleanup();
        }
    }

    // wrk's connections: 64 as benchmarks/load/run.sh has them, or CONNECTIONS.
    private static readonly int Connections = int.TryParse(Environment.GetEnvironmentVariable("CONNECTIONS"), CultureInfo.InvariantCulture, out var c) ? c : 64;

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    // As many workers as cores, each with its own request and context, calling the loaded version back to back.
    private static async Task<double> InProcessAsync(Func<Func<Task<int>>> newCaller, int seconds)
    {
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Run(async () =>
        {
            var call = newCaller();
            long calls = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                if (await call() != 200)
                {
                    throw new InvalidOperationException("the transformer did not answer 200 in process");
                }

                calls++;
            }

            return calls;
        })).ToList();
        var started = Stopwatch.GetTimestamp();
        var total = (await Task.WhenAll(workers)).Sum();
        return total / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static double Wrk(Uri url, int seconds)
    {
        using var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t2", $"-c{Connections}", $"-d{seconds}s", url.ToString()]) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("wrk did not start");
        var output = wrk.StandardOutput.ReadToEnd();
        wrk.WaitForExit();
        if (output.Contains("Non-2xx", StringComparison.Ordinal) || output.Contains("Socket errors", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("wrk saw errors:\n" + output);
        }

        return double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
