using System.Diagnostics;
using System.Text;

namespace Needle.Testing;

/// <summary>
/// An ASP.NET Core host in a child process (<c>dotnet exec</c> of a built app): for tests whose subject is a whole
/// process (a stack overflow that would end the test process, a cluster of nodes, a node killed with SIGKILL). Started
/// when it prints "Now listening on:"; its output is kept for failure messages; killed with its tree on disposal.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private HostProcess(Process process, StringBuilder output, Uri address)
    {
        _process = process;
        _output = output;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The address it listens on.</summary>
    public Uri Address { get; }

    /// <summary>A client for <see cref="Address"/>.</summary>
    public HttpClient Client { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The CPU time the process has used so far (user and system), read fresh.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>What the process wrote to standard output and error.</summary>
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

    /// <summary>The last 4,000 characters of <see cref="Output"/>.</summary>
    public string OutputTail => Output is { Length: > 4000 } text ? text[^4000..] : Output;

    /// <summary>
    /// Starts <paramref name="assembly"/> (a path to the app's dll) with <paramref name="arguments"/> in
    /// <paramref name="workingDirectory"/>, in the Production environment unless <paramref name="environment"/> says
    /// otherwise; waits up to <paramref name="startTimeout"/> (90 s by default) for it to listen.
    /// </summary>
    public static async Task<HostProcess> StartAsync(
        string assembly,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? startTimeout = null)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
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
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The process exited before it listened."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var address = await listening.Task.WaitAsync(startTimeout ?? TimeSpan.FromSeconds(90));
            return new HostProcess(process, output, address);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            throw new AssertFailedException($"{Path.GetFileName(assembly)} did not start ({ex.Message}):\n{text}");
        }
    }

    /// <summary>Ends the process at once with SIGKILL (no shutdown code runs), and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Asks the process to stop with SIGTERM (the host shuts down gracefully) and waits up to <paramref name="timeout"/>, then kills it.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await signal.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }
    }

    /// <summary>Kills the process if it still runs and frees what it held.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }
}
