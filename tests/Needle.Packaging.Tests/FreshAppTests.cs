using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Needle.Testing;

namespace Needle.Packaging.Tests;

/// <summary>
/// What a platform team does on day one: <c>dotnet new web</c>, add the four Needle packages (from the folder
/// <c>dotnet pack</c> just wrote, no project references), paste the README's quick start into Program.cs, run it, deploy
/// a JavaScript and a C# function over HTTP, open the console and the metrics. If the README's snippet or a package
/// breaks, these tests break.
/// </summary>
[TestClass]
public sealed partial class FreshAppTests
{
    private static readonly string[] Packages = ["Needle.Core", "Needle.Observability", "Needle.Rollback", "Needle.Console"];

    private static DirectoryInfo s_work = null!;
    private static string s_packages = null!;
    private static Process? s_app;
    private static StringBuilder s_appLog = new();
    private static HttpClient s_client = null!;

    [ClassInitialize]
    public static async Task StartFreshApp(TestContext context)
    {
        s_work = Directory.CreateTempSubdirectory("needle-fresh-app-");
        var packages = s_packages = await PackagesFolderAsync(s_work.FullName);
        var version = PackageVersion(packages);

        var app = Path.Combine(s_work.FullName, "FreshApp");
        await ProcessRunner.RunAsync("dotnet", $"new web -o \"{app}\" --no-restore", s_work.FullName, TimeSpan.FromMinutes(2));

        // The packed folder as a package source beside the machine's own (nothing here names a registry). Packages
        // restore into a folder of this run, so a Needle package of the same version cached by an earlier run is never
        // used; everything else still comes from the user's cache, read-only.
        var userCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(s_work.FullName, "nuget-packages")}" />
              </config>
              <packageSources>
                <add key="needle-local" value="{packages}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="user-cache" value="{userCache}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        foreach (var package in Packages)
        {
            await ProcessRunner.RunAsync("dotnet", $"add package {package} --version {version} --no-restore", app, TimeSpan.FromMinutes(1));
        }

        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ReadmeQuickStart());
        Directory.CreateDirectory(Path.Combine(app, "functions"));
        await ProcessRunner.RunAsync("dotnet", "build -c Release", app, TimeSpan.FromMinutes(5));

        var port = FreePort.Next();
        s_app = ProcessRunner.Start("dotnet", Path.Combine("bin", "Release", "net10.0", "FreshApp.dll"), app,
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}", ["ASPNETCORE_ENVIRONMENT"] = "Production" },
            out s_appLog);
        s_client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilListeningAsync();
    }

    [ClassCleanup]
    public static void StopFreshApp()
    {
        s_client?.Dispose();
        if (s_app is { HasExited: false })
        {
            s_app.Kill(entireProcessTree: true);
            s_app.WaitForExit();
        }

        s_app?.Dispose();
        try
        {
            s_work?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the stopped app; the temp folder is cleaned by the OS.
        }
    }

    [TestMethod]
    public async Task FreshApp_DeployJavaScriptFunction_IsServed()
    {
        await DeployAsync("hello", new
        {
            source = "export default async (req) => ({ message: `Hello, ${req.query.name ?? 'you'}!` })",
            manifest = new { route = "/hello", methods = new[] { "GET" } },
            reason = "fresh app",
        });

        using var response = await s_client.GetAsync("/fn/hello?name=Ada");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await DescribeAsync(response));
        Assert.AreEqual("Hello, Ada!", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
        Assert.AreEqual("hello@1", response.Headers.GetValues("Needle-Version").Single());
    }

    [TestMethod]
    public async Task FreshApp_DeployCSharpFunction_IsServed()
    {
        await DeployAsync("greet", new
        {
            source = """
                public sealed class Greeter : INeedleFunction
                {
                    public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context) =>
                        Task.FromResult<object?>(new { message = $"Hi, {request.RouteValues["name"]}!", runtime = "csharp" });
                }
                """,
            manifest = new { route = "/greet/{name}", methods = new[] { "GET" }, runtime = "csharp" },
            reason = "fresh app",
        });

        using var response = await s_client.GetAsync("/fn/greet/Ada");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await DescribeAsync(response));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.AreEqual("Hi, Ada!", body["message"]!.GetValue<string>());
        Assert.AreEqual("csharp", body["runtime"]!.GetValue<string>());
    }

    [TestMethod]
    public async Task FreshApp_Console_Opens()
    {
        using var response = await s_client.GetAsync("/needle");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await DescribeAsync(response));
        StringAssert.Contains(response.Content.Headers.ContentType?.MediaType, "html");
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "<script");
    }

    [TestMethod]
    public async Task FreshApp_Metrics_ArePrometheusText()
    {
        // One invocation first, so Needle's instruments have something to say.
        await DeployAsync("ping", new { source = "export default () => 'pong'", manifest = new { route = "/ping", methods = new[] { "GET" } } });
        (await s_client.GetAsync("/fn/ping")).Dispose();

        var text = "";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !text.Contains("faas_invocations", StringComparison.Ordinal))
        {
            // The exporter caches a scrape for a moment; ask again until the invocation shows.
            text = await s_client.GetStringAsync("/metrics");
            await Task.Delay(200);
        }

        StringAssert.Contains(text, "faas_invocations", $"/metrics did not show the invocation:\n{text}");
    }

    [TestMethod]
    public async Task FreshApp_NeedleToolFromThePackages_ShowsStatus()
    {
        // dotnet tool install --global Needle.Cli --add-source <folder> --prerelease, into a folder of this run.
        await DeployAsync("tooled", new { source = "export default () => 1", manifest = new { route = "/tooled", methods = new[] { "GET" } } });
        var tools = Path.Combine(s_work.FullName, "tools");
        await ProcessRunner.RunAsync("dotnet", $"tool install Needle.Cli --tool-path \"{tools}\" --add-source \"{s_packages}\" --prerelease", s_work.FullName, TimeSpan.FromMinutes(3),
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(s_work.FullName, "nuget-packages") });

        var output = await ProcessRunner.RunAsync(Path.Combine(tools, "needle"), $"status --url {s_client.BaseAddress}", s_work.FullName, TimeSpan.FromMinutes(1));

        StringAssert.Contains(output, "tooled");
        StringAssert.Contains(output, "node(s), all at revision");
    }

    /// <summary>The first C# block of the README's "Add Needle to your host" section, exactly as a user copies it.</summary>
    internal static string ReadmeQuickStart()
    {
        var readme = File.ReadAllText(RepositoryPaths.Readme);
        var section = readme.IndexOf("## Add Needle to your host", StringComparison.Ordinal);
        Assert.IsTrue(section >= 0, "README.md has no '## Add Needle to your host' section.");
        var block = CSharpBlock().Match(readme, section);
        Assert.IsTrue(block.Success, "README.md's 'Add Needle to your host' section has no ```csharp block.");
        return block.Groups["code"].Value;
    }

    private static async Task DeployAsync(string name, object body)
    {
        using var response = await s_client.PostAsJsonAsync($"/needle/api/functions/{name}/versions", body);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await DescribeAsync(response));
    }

    private static async Task<string> PackagesFolderAsync(string work)
    {
        // .ci/run packs once into a folder and names it; a developer's run packs here.
        var given = Environment.GetEnvironmentVariable("NEEDLE_PACKAGES");
        if (!string.IsNullOrEmpty(given))
        {
            Assert.IsTrue(Directory.Exists(given), $"NEEDLE_PACKAGES names '{given}', which does not exist.");
            return Path.GetFullPath(given);
        }

        var folder = Path.Combine(work, "packages");
        foreach (var package in Packages.Append("Needle.Client").Append("Needle.Cli"))
        {
            var project = Path.Combine(RepositoryPaths.Root, package, package + ".csproj");
            await ProcessRunner.RunAsync("dotnet", $"pack \"{project}\" -c Release -o \"{folder}\"", RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        }

        return folder;
    }

    private static string PackageVersion(string folder)
    {
        var versions = Packages
            .Select(p => Directory.GetFiles(folder, p + ".*.nupkg").Select(f => Path.GetFileName(f)[(p.Length + 1)..^".nupkg".Length]).ToList())
            .ToList();
        Assert.IsTrue(versions.All(v => v.Count == 1), $"expected one .nupkg of each package in {folder}: {string.Join(", ", Directory.GetFiles(folder))}");
        var version = versions[0][0];
        Assert.IsTrue(versions.All(v => v[0] == version), "the four packages must share one version");
        return version;
    }

    private static async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.IsFalse(s_app!.HasExited, $"the fresh app exited with {(s_app.HasExited ? s_app.ExitCode : 0)}:\n{AppLog()}");
            try
            {
                using var response = await s_client.GetAsync("/needle/api/functions");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.IsTrue(DateTime.UtcNow < deadline, $"the fresh app did not answer within 60 s:\n{AppLog()}");
            await Task.Delay(250);
        }
    }

    // Output reader threads append to the log under its lock while the app runs.
    private static string AppLog() => ProcessRunner.Text(s_appLog);

    private static async Task<string> DescribeAsync(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n--- app log ---\n{AppLog()}";

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
