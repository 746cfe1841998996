using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Needle.Benchmarks.V8;

/// <summary>
/// The function every mode runs and the request it gets: the sample's transformer with its manifest's config, and the
/// request of the load benchmark (<c>GET /fn/products?category=tools</c>) in the shape Needle's JavaScript runtime gives
/// it: <c>req = { method, path, params, query, headers, body, rawBody }</c>, <c>ctx = { requestId, config, secrets,
/// log, fetch }</c>.
/// </summary>
internal sealed class SampleFunction
{
    private SampleFunction(string name, string source, string configJson, string? file = null)
    {
        File = file;
        Name = name;
        Source = source;
        ConfigJson = configJson;
    }

    /// <summary>The file it was loaded from (what a V8 worker loads), if any.</summary>
    public string? File { get; }

    /// <summary>The function's name (the file name without <c>.js</c>).</summary>
    public string Name { get; }

    /// <summary>The ES module's source, as deployed.</summary>
    public string Source { get; }

    /// <summary>The manifest's <c>config</c> as JSON text (<c>{}</c> when there is none).</summary>
    public string ConfigJson { get; }

    /// <summary>The request's method, path, route values, query and headers.</summary>
    public static readonly SampleRequest Request = new(
        "GET",
        "/fn/products",
        [],
        [new("category", "tools")],
        [new("host", "127.0.0.1:5302"), new("user-agent", "wrk"), new("accept", "*/*")]);

    /// <summary>The repository's root (the folder holding Needle.sln), found from the working folder or the binary's.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The sample's transformer (samples/Needle.Sample/functions/transformer.js and .json).</summary>
    public static SampleFunction Transformer() =>
        Load(Path.Combine(RepositoryRoot, "samples", "Needle.Sample", "functions", "transformer.js"));

    /// <summary>
    /// A function by name: <c>transformer</c> (the sample's) or <c>transformer-1000</c> (functions/ beside this program:
    /// the same work over 1,000 products with a five-item answer).
    /// </summary>
    public static SampleFunction Named(string name) => name == "transformer"
        ? Transformer()
        : Load(Path.Combine(AppContext.BaseDirectory, "functions", name + ".js"));

    /// <summary>Loads a function file and the manifest beside it.</summary>
    public static SampleFunction Load(string file)
    {
        var manifestFile = Path.ChangeExtension(file, ".json");
        var config = "{}";
        if (System.IO.File.Exists(manifestFile) && JsonNode.Parse(System.IO.File.ReadAllText(manifestFile))?["config"] is { } node)
        {
            config = node.ToJsonString();
        }

        return new SampleFunction(Path.GetFileNameWithoutExtension(file), System.IO.File.ReadAllText(file), config, file);
    }

    /// <summary>A function made from source text (the memory bombs).</summary>
    public static SampleFunction FromSource(string name, string source) => new(name, source, "{}");

    /// <summary>
    /// The message the V8 modes send and the Node worker reads: <c>{"requestId": ..., "req": {...}}</c> as UTF-8, what a
    /// worker protocol would carry.
    /// </summary>
    public static void WriteMessage(PooledBuffer output, SampleRequest request, string requestId)
    {
        using var json = new Utf8JsonWriter(output.Writer);
        json.WriteStartObject();
        json.WriteString("requestId", requestId);
        json.WriteStartObject("req");
        json.WriteString("method", request.Method);
        json.WriteString("path", request.Path);
        WritePairs(json, "params", request.RouteValues);
        WritePairs(json, "query", request.Query);
        WritePairs(json, "headers", request.Headers);
        json.WriteNull("body");
        json.WriteNull("rawBody");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The same message as a string (what the in-process V8 mode hands the engine).</summary>
    public static string MessageText(SampleRequest request, string requestId)
    {
        var buffer = new PooledBuffer();
        WriteMessage(buffer, request, requestId);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WritePairs(Utf8JsonWriter json, string name, KeyValuePair<string, string>[] pairs)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in pairs)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (System.IO.File.Exists(Path.Combine(folder.FullName, "Needle.sln")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the Needle repository: Needle.sln was not found above the working folder or the binary.");
    }
}

/// <summary>A request as the host hands it to a runtime.</summary>
internal sealed record SampleRequest(
    string Method,
    string Path,
    KeyValuePair<string, string>[] RouteValues,
    KeyValuePair<string, string>[] Query,
    KeyValuePair<string, string>[] Headers);
