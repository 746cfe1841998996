using System.Text.Json.Nodes;

namespace Needle.Tests.Infrastructure;

/// <summary>
/// The sample host in a child process, for attacks that would end the test process if a guard regressed (a .NET stack
/// overflow cannot be caught): the child dies, the test reports it. Kestrel on 127.0.0.1, its own SQLite file.
/// </summary>
public sealed class ChildHost : IAsyncDisposable
{
    private readonly HostProcess _process;
    private readonly TemporaryDirectory _directory;

    private ChildHost(HostProcess process, TemporaryDirectory directory)
    {
        _process = process;
        _directory = directory;
    }

    public HttpClient Client => _process.Client;

    /// <summary>Whether the host process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The CPU time the host process has used so far (user and system), read fresh.</summary>
    public TimeSpan ProcessorTime => _process.ProcessorTime;

    /// <summary>What the host wrote, for failure messages.</summary>
    public string Output => _process.Output;

    public static async Task<ChildHost> StartAsync()
    {
        var directory = TemporaryDirectory.Create("needle-child-tests");
        var functions = directory.Combine("functions");
        Directory.CreateDirectory(functions);
        try
        {
            var process = await HostProcess.StartAsync(
                Path.Combine(AppContext.BaseDirectory, "Needle.Sample.dll"),
                ["--urls", "http://127.0.0.1:0", "--ConnectionStrings:Needle", NeedleTestHost.StoreConnectionString(directory.Path), "--Needle:FunctionsPath", functions],
                directory.Path);
            return new ChildHost(process, directory);
        }
        catch
        {
            directory.Dispose();
            throw;
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
            throw new AssertFailedException($"The host process died ({ex.Message}). Its last output:\n{_process.OutputTail}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }
}
