// What the quality gate adds to a deploy: a real host in this process (Kestrel on 127.0.0.1, a SQLite file in a
// temporary folder), deploys through the HTTP API, timed with a Stopwatch from request to answer.
//   plain:     a JavaScript function without cases, new content every time
//   gated:     the same function with 10 cases (each stubbing one fetch), new content every time, so the cases run
//   redeploy:  earlier content of the gated function again: a new version, loaded, its cases' kept result reused
//   unchanged: the latest content again (nothing to deploy)
//   C# plain / C# gated: the same function in C# (compiled by Roslyn for each new content), without and with the 10 cases
// dotnet run -c Release --project benchmarks/Needle.Benchmarks.Quality -- [rounds (default 50)]
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50;
var directory = Directory.CreateTempSubdirectory("needle-quality-bench").FullName;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Services.AddNeedle(o => o.UseSqlite($"Data Source={Path.Combine(directory, "needle.db")}"))
    .AddDownstream("backend", new Uri("http://127.0.0.1:9/"));
var app = builder.Build();
app.MapNeedle();
app.MapNeedleApi("/needle/api");
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using var http = new HttpClient { BaseAddress = new Uri(address) };

// Each kind's content differs (the trailing comment), so no kind reuses another's parse or compile by content.
static string Source(int n, string kind = "plain") => $$"""
    // {{kind}}
    export default async (req, ctx) => {
      const r = await ctx.fetch(`http://backend/items/${req.params.id}`);
      const item = await r.json();
      return { id: item.id, label: item.name.toUpperCase(), round: {{n}} };
    };
    """;

static string CSharpSource(int n, string kind = "plain") => $$"""
    // {{kind}}
    using System.Text.Json;
    public sealed class Item : INeedleFunction
    {
        public async Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
        {
            var r = await context.FetchAsync("http://backend/items/" + request.RouteValues["id"]);
            var item = r.Json<JsonElement>();
            return new { id = item.GetProperty("id").GetInt32(), label = item.GetProperty("name").GetString()!.ToUpperInvariant(), round = {{n}} };
        }
    }
    """;

static JsonObject Manifest(bool cases, string runtime = "javascript")
{
    var prefix = runtime == "csharp" ? "/cs" : "";
    var manifest = new JsonObject { ["route"] = prefix + (cases ? "/gated/{id}" : "/plain/{id}"), ["methods"] = new JsonArray("GET"), ["services"] = new JsonArray("backend") };
    if (runtime == "csharp")
    {
        manifest["runtime"] = "csharp";
    }

    if (cases)
    {
        manifest["tests"] = new JsonArray(Enumerable.Range(1, 10).Select(i => (JsonNode)new JsonObject
        {
            ["name"] = $"item {i}",
            ["request"] = new JsonObject { ["params"] = new JsonObject { ["id"] = $"{i}" } },
            ["fetch"] = new JsonArray(new JsonObject { ["url"] = $"http://backend/items/{i}", ["body"] = new JsonObject { ["id"] = i, ["name"] = $"item {i}" } }),
            ["expect"] = new JsonObject { ["status"] = 200, ["jsonPath"] = new JsonObject { ["$.label"] = $"ITEM {i}" } },
        }).ToArray());
    }

    return manifest;
}

async Task<double> DeployAsync(string name, string source, JsonObject manifest, int expectedStatus)
{
    var started = Stopwatch.GetTimestamp();
    using var response = await http.PostAsJsonAsync($"/needle/api/functions/{name}/versions", new { source, manifest });
    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if ((int)response.StatusCode != expectedStatus)
    {
        throw new InvalidOperationException($"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    return elapsed;
}

// Warm-up: the first deploys pay for JIT, the engine pool, SQLite's first pages.
for (var i = 0; i < 5; i++)
{
    await DeployAsync("plain", Source(-i - 1), Manifest(cases: false), 201);
    await DeployAsync("gated", Source(-i - 1, "gated"), Manifest(cases: true), 201);
    await DeployAsync("cs-plain", CSharpSource(-i - 1), Manifest(cases: false, "csharp"), 201);
    await DeployAsync("cs-gated", CSharpSource(-i - 1, "gated"), Manifest(cases: true, "csharp"), 201);
}

var plain = new List<double>();
var gated = new List<double>();
var redeploy = new List<double>();
var unchanged = new List<double>();
var csPlain = new List<double>();
var csGated = new List<double>();
for (var round = 0; round < rounds; round++)
{
    // Interleaved, so a moment of load on the shared machine hits every kind alike; plain and gated take turns going
    // first, so neither pays alone for what the round's first deploy meets (the previous round's last write).
    if (round % 2 == 0)
    {
        plain.Add(await DeployAsync("plain", Source(round), Manifest(cases: false), 201));
        gated.Add(await DeployAsync("gated", Source(round, "gated"), Manifest(cases: true), 201));
    }
    else
    {
        gated.Add(await DeployAsync("gated", Source(round, "gated"), Manifest(cases: true), 201));
        plain.Add(await DeployAsync("plain", Source(round), Manifest(cases: false), 201));
    }

    unchanged.Add(await DeployAsync("gated", Source(round, "gated"), Manifest(cases: true), 200));
    redeploy.Add(await DeployAsync("gated", Source(round - 1 >= 0 ? round - 1 : -1, "gated"), Manifest(cases: true), 201));
    csPlain.Add(await DeployAsync("cs-plain", CSharpSource(round), Manifest(cases: false, "csharp"), 201));
    csGated.Add(await DeployAsync("cs-gated", CSharpSource(round, "gated"), Manifest(cases: true, "csharp"), 201));
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
}

Console.WriteLine($"rounds {rounds}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
Console.WriteLine("| deploy | median ms | p90 ms | median minus plain ms | ratio to plain |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (label, values) in new[] { ("plain (no cases)", plain), ("gated (10 JS cases run)", gated), ("earlier content again (cases' result kept)", redeploy), ("latest content again (unchanged)", unchanged) })
{
    Console.WriteLine(FormattableString.Invariant($"| {label} | {Median(values):0.00} | {Percentile(values, 0.9):0.00} | {Median(values) - Median(plain):0.00} | {Median(values) / Median(plain):0.00} |"));
}

// C# against its own plain deploy: a new content is a Roslyn compile, which dwarfs JavaScript's parse.
foreach (var (label, values) in new[] { ("C# plain (no cases; compiled)", csPlain), ("C# gated (10 C# cases run)", csGated) })
{
    Console.WriteLine(FormattableString.Invariant($"| {label} | {Median(values):0.00} | {Percentile(values, 0.9):0.00} | {Median(values) - Median(csPlain):0.00} (vs C# plain) | {Median(values) / Median(csPlain):0.00} |"));
}

await app.StopAsync();
await app.DisposeAsync();
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(directory, recursive: true);
