using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Needle.Cli.Tests.Infrastructure;
using Needle.Client;

namespace Needle.Cli.Tests.OpenApi;

/// <summary>
/// The control plane's OpenAPI document, as the sample host (all four packages) serves it: clean under Redocly's
/// recommended rules, and naming every operation the typed client calls.
/// </summary>
[TestClass]
public sealed class OpenApiDocumentTests
{
    private static CliHost s_host = null!;
    private static string s_document = null!;

    [ClassInitialize]
    public static async Task Start(TestContext context)
    {
        s_host = CliHost.Start();
        using var http = s_host.CreateClient();
        s_document = await http.GetStringAsync("/needle/api/openapi/needle.json");
    }

    [ClassCleanup]
    public static async Task Stop() => await s_host.DisposeAsync();

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Document_RedoclyRecommendedRules_NoErrorsNoWarnings()
    {
        var redocly = FindRedocly();
        var file = Path.Combine(s_host.Directory, "needle.json");
        await File.WriteAllTextAsync(file, s_document);

        var (exit, output) = await RunAsync(redocly, $"lint \"{file}\" --format stylish");

        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "Your API description is valid", output);
    }

    [TestMethod]
    public void Document_DeclaresTheApiKeySchemeAndProblemResponses()
    {
        var document = JsonNode.Parse(s_document)!;

        Assert.AreEqual("X-Needle-Api-Key", document["components"]!["securitySchemes"]!["NeedleApiKey"]!["name"]!.GetValue<string>());
        Assert.AreEqual("MIT", document["info"]!["license"]!["name"]!.GetValue<string>());
        var deploy = document["paths"]!["/needle/api/functions/{name}/versions"]!["post"]!;
        foreach (var status in new[] { "400", "403", "404", "409" })
        {
            Assert.IsNotNull(deploy["responses"]![status]?["content"]?["application/problem+json"], $"deploy documents no {status} problem");
        }

        Assert.IsNull(document["paths"]!["/needle/api/functions"]!["get"]!["responses"]!["404"], "listing functions names none, so it has no 404");
    }

    [TestMethod]
    public void Document_EveryRouteTheQualityGateStandsOn_TakesSkipTests()
    {
        var document = JsonNode.Parse(s_document)!;
        var schemas = document["components"]!["schemas"]!;
        var gated = new[]
        {
            ("/needle/api/functions/{name}/versions", "post"),
            ("/needle/api/functions/{name}/versions/{number}/activate", "post"),
            ("/needle/api/functions/{name}/canary", "post"),
            ("/needle/api/functions/{name}/release", "put"),
            ("/needle/api/functions/{name}/promote", "post"),
            ("/needle/api/functions/{name}/patches", "post"),
            ("/needle/api/functions/{name}/plans", "post"),
        };

        foreach (var (path, method) in gated)
        {
            var reference = document["paths"]![path]![method]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
            var schema = schemas[reference.Split('/')[^1]]!;
            Assert.IsNotNull(schema["properties"]!["skipTests"], $"{method} {path} ({reference}) has no skipTests");
            Assert.IsNotNull(schema["properties"]!["reason"], $"{method} {path} ({reference}) has no reason");
        }
    }

    [TestMethod]
    public async Task Client_EveryCallItMakes_IsAnOperationOfTheDocument()
    {
        var recorder = new RecordingHandler();
        using var client = new NeedleApiClient(new HttpClient(recorder) { BaseAddress = new Uri("http://needle.test/needle/api/") }, ownsHttp: true);
        var calls = new Func<Task>[]
        {
            () => client.ListFunctionsAsync(),
            () => client.GetFunctionAsync("f"),
            () => client.GetVersionAsync("f", 1),
            () => client.DeployAsync("f", new DeployRequest { Source = "x" }),
            () => client.SetCanaryAsync("f", new CanaryRequest { Weight = 1 }),
            () => client.PromoteAsync("f", "r"),
            () => client.PromoteAsync("f", "r", skipTests: true),
            () => client.ActivateAsync("f", 1, "r", skipTests: true),
            () => client.AbortAsync("f", "r"),
            () => client.RollbackAsync("f", null, "r"),
            () => client.KillAsync("f", 503, null, "r"),
            () => client.ReviveAsync("f", "r"),
            () => client.PatchAsync("f", new PatchRequest { BaseHash = "h", Source = "x", Reason = "r" }),
            () => client.StartPlanAsync("f", 2, [1, 100], TimeSpan.FromSeconds(1), "r"),
            () => client.StartPlanAsync("f", 2, [1, 100], TimeSpan.FromSeconds(1), "r", skipTests: true),
            () => client.ListReleasesAsync("f"),
            () => client.ListAuditAsync("f", 5),
            () => client.ListNodesAsync(),
            () => client.InvokeAsync("f", 1, new InvokeRequest()),
            () => client.TestAsync("f", 1),
            () => client.GetHealthAsync(),
        };
        foreach (var call in calls)
        {
            try
            {
                await call();
            }
            catch (NeedleApiException)
            {
                // The recorder answers 404 to everything; only the request matters here.
            }
        }

        var operations = JsonNode.Parse(s_document)!["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(method => (Method: method.Key.ToUpperInvariant(), Pattern: Template(path.Key))))
            .ToList();
        Assert.HasCount(calls.Length, recorder.Calls);
        foreach (var (method, path) in recorder.Calls)
        {
            Assert.IsTrue(operations.Any(o => o.Method == method && o.Pattern.IsMatch(path)), $"the client calls {method} {path}, which the OpenAPI document does not describe");
        }
    }

    private static Regex Template(string path) => new("^" + Regex.Replace(Regex.Escape(path), @"\\\{[^}]+}", "[^/]+") + "$");

    private static string FindRedocly()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "redocly")).FirstOrDefault(File.Exists);
        if (path is not null)
        {
            return path;
        }

        const string message = "'redocly' is not on PATH; install it with 'npm install -g @redocly/cli@2.77.0' to lint the OpenAPI document. .ci/run installs it.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Inconclusive(message);
        return "";
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<(string Method, string Path)> Calls { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls.Add((request.Method.Method, request.RequestUri!.AbsolutePath));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound)
            {
                Content = new StringContent("""{"title":"Not found","status":404}""", Encoding.UTF8, "application/problem+json"),
            });
        }
    }
}
