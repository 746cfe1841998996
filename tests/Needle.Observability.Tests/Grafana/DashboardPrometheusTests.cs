using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Needle.Observability.Tests.Infrastructure;

namespace Needle.Observability.Tests.Grafana;

/// <summary>
/// Proves docs/grafana/needle-dashboard.json against a real Prometheus: a host with the sample's wiring serves
/// traffic (stable and canary, errors, a deploy and a rollback), Prometheus scrapes it every second, and every query
/// of the dashboard (panels and annotations) must return data through Prometheus's HTTP API.
/// </summary>
[TestClass]
public sealed partial class DashboardPrometheusTests
{
    private static readonly string DashboardPath = Path.Combine(AppContext.BaseDirectory, "Grafana", "needle-dashboard.json");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(90_000, CooperativeCancellation = true)]
    public async Task Dashboard_EveryQuery_ReturnsDataFromARealPrometheus()
    {
        var prometheus = ExternalTool.Require("prometheus", "prove the Grafana dashboard");

        var queries = DashboardQueries();
        Assert.IsTrue(queries.Count >= 10, $"the dashboard has only {queries.Count} queries");

        await using var host = await TestHost.StartAsync();
        var hello = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "functions", "hello.js"));
        await host.DeployAsync("hello", hello, new { route = "/hello", methods = new[] { "GET" } });
        await host.DeployAsync("flaky", "export default (req) => { if (req.query.fail) throw new Error('flaky failed'); return { v: 1 }; };");

        var work = Directory.CreateTempSubdirectory("needle-prometheus-");
        var port = FreePort.Next();
        var config = Path.Combine(work.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: needle
                metrics_path: /metrics
                static_configs:
                  - targets: ["{host.Address.Authority}"]
            """);
        using var server = Process.Start(new ProcessStartInfo(prometheus)
        {
            ArgumentList =
            {
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(work.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = new System.Text.StringBuilder();
        server.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        server.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var token = TestContext.CancellationToken;
            using var traffic = CancellationTokenSource.CreateLinkedTokenSource(token);
            var load = DriveTrafficAsync(host, traffic.Token);

            // The deploy and the rollback come after the first scrape, so the annotations' increase() sees them.
            await WaitForAsync(api, "faas_invocations_total", server, log, token);
            await host.DeployAsync("hello", hello.Replace("Hello", "Hi", StringComparison.Ordinal), new { route = "/hello", methods = new[] { "GET" } }, canary: new { weight = 50 });
            await host.DeployAsync("flaky", "export default () => ({ v: 2 });");
            using (var rollback = await host.Client.PostAsync("/needle/api/functions/flaky/rollback", null, token))
            {
                Assert.IsTrue(rollback.IsSuccessStatusCode, await rollback.Content.ReadAsStringAsync(token));
            }

            await WaitForAsync(api, "needle_rollbacks_total > 0", server, log, token);
            await WaitForAsync(api, "faas_invocations_total{needle_role=\"canary\"}", server, log, token);

            // Each query until it has data (a rate needs two scrapes of its series), under traffic, for up to 30 s
            // (a fixed 3 s was not always scrapes enough on the loaded machine); then the ones still empty fail it.
            var empty = await WaitForDataAsync(api, queries, server, log, token);
            await traffic.CancelAsync();
            await load;

            Assert.AreEqual(0, empty.Count, "Queries without data after 30 s:\n" + string.Join("\n", empty));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    /// <summary>Every <c>expr</c> of the dashboard, with Grafana's variables replaced the way Grafana would (All = <c>.*</c>).</summary>
    private static List<string> DashboardQueries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(DashboardPath))!;
        var expressions = new List<string>();
        Collect(dashboard["panels"], expressions);
        Collect(dashboard["annotations"], expressions);
        return expressions
            .Select(e => e.Replace("$__rate_interval", "30s", StringComparison.Ordinal)
                .Replace("$__interval", "15s", StringComparison.Ordinal)
                .Replace("$__range", "5m", StringComparison.Ordinal))
            .Select(e => Variable().Replace(e, ".*"))
            .ToList();
    }

    private static void Collect(JsonNode? node, List<string> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "expr" && value is JsonValue expr)
                    {
                        into.Add(expr.GetValue<string>());
                    }
                    else
                    {
                        Collect(value, into);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, into);
                }

                break;
        }
    }

    [GeneratedRegex(@"\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?")]
    private static partial Regex Variable();

    private static async Task DriveTrafficAsync(TestHost host, CancellationToken cancellationToken)
    {
        var workers = Enumerable.Range(0, 4).Select(async worker =>
        {
            for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
            {
                try
                {
                    var path = (i % 5) switch
                    {
                        0 => "/fn/flaky?fail=1",
                        1 => "/fn/flaky",
                        _ => $"/fn/hello?name=w{worker}",
                    };
                    using var response = await host.Client.GetAsync(path, cancellationToken);
                    await Task.Delay(5, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        await Task.WhenAll(workers);
    }

    private static async Task WaitForAsync(HttpClient api, string query, Process server, System.Text.StringBuilder log, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            Assert.IsFalse(server.HasExited, $"prometheus exited:\n{log}");
            try
            {
                if (HasData(await QueryAsync(api, query, cancellationToken)))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Prometheus is still starting.
            }

            await Task.Delay(250, cancellationToken);
        }

        Assert.Fail($"Prometheus had no data for '{query}' after 30 s. Its log:\n{log}");
    }

    /// <summary>Polls every query until each has had data once, or 30 s pass; returns those that never had any.</summary>
    private static async Task<List<string>> WaitForDataAsync(HttpClient api, IReadOnlyList<string> queries, Process server, System.Text.StringBuilder log, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var empty = queries.ToList();
        while (true)
        {
            Assert.IsFalse(server.HasExited, $"prometheus exited:\n{log}");
            var still = new List<string>();
            foreach (var query in empty)
            {
                if (!HasData(await QueryAsync(api, query, cancellationToken)))
                {
                    still.Add(query);
                }
            }

            empty = still;
            if (empty.Count == 0 || deadline.Elapsed >= TimeSpan.FromSeconds(30))
            {
                return empty;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    private static async Task<JsonArray> QueryAsync(HttpClient api, string query, CancellationToken cancellationToken)
    {
        var response = await api.GetFromJsonAsync<JsonNode>("api/v1/query?query=" + Uri.EscapeDataString(query), cancellationToken);
        Assert.AreEqual("success", response!["status"]!.GetValue<string>(), $"{query}: {response.ToJsonString()}");
        return response["data"]!["result"]!.AsArray();
    }

    /// <summary>At least one series with a number (not NaN): a panel that would draw something.</summary>
    private static bool HasData(JsonArray result) =>
        result.Any(series => series!["value"]![1]!.GetValue<string>() is var value && value != "NaN");
}
