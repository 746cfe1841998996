using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Needle.Tests.Infrastructure;

/// <summary>
/// The sample host in a child process, for attacks that would end the test process if a guard regressed (a .NET stack
/// overflow cannot be caught): the child dies, the test reports it. Kestrel on 127.0.0.1, its own SQLite file.
/// </summary>
public sealed class ChildHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly TemporaryDirectory _directory;

    private ChildHost(Process process, StringBuilder output, TemporaryDirectory directory, Uri address)
    {
        _process = process;
        _output = output;
        _directory = directory;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    /// <summary>Whether the host process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The CPU time the host process has used so far (user and system), read fresh.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>What the host wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ChildHost> StartAsync()
    {
        var directory = TemporaryDirectory.Create("needle-child-tests");
        var functions = directory.Combine("functions");
        Directory.CreateDirectory(functions);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = directory.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["exec", Path.Combine(AppContext.BaseDirectory, "Needle.Sample.dll"), "--urls", "http://127.0.0.1:0",
                     "--ConnectionStrings:Needle", NeedleTestHost.StoreConnectionString(directory.Path), "--Needle:FunctionsPath", functions])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            const string Marker = "Now listening on: ";
            var at = e.Data.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                listening.TrySetResult(new Uri(e.Data[(at + Marker.Length)..].Trim()));
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
            return new ChildHost(process, output, directory, address);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            directory.Dispose();
            throw new AssertFailedException($"The sample host did not start:\n{output}");
        }
    }

    /// <summary>Deploys through the API, asserts success.</summary>
    public Task DeployAsync(string name, string source, object? manifest = null) => Client.DeployAsync(name, source, manifest);

    /// <summary>GETs a path; a dead host is a test failure that says so, with what the host last wrote.</summary>
    public async Task<(int Status, JsonNode? Body, string Text)> GetAsync(string path)
    {
        try
        {
            using var response = await Client.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            JsonNode? body = null;
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON: the text says what it is.
            }

            return ((int)response.StatusCode, body, text);
        }
        catch (HttpRequestException ex) when (HasExited)
        {
            throw new AssertFailedException($"The host process died ({ex.Message}). Its last output:\n{Tail(Output)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
