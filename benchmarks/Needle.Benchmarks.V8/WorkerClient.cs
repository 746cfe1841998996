using System.Diagnostics;
using System.Net.Sockets;

namespace Needle.Benchmarks.V8;

/// <summary>
/// The host's side of a worker process: starts it (this program's <c>worker</c> command, or the Node worker), waits for
/// <c>ready</c>, connects over a Unix domain socket and makes calls, one at a time, with length-prefixed frames. When the
/// worker dies the call throws <see cref="WorkerDiedException"/> and the host lives on.
/// </summary>
internal sealed class WorkerClient : ITransformerRuntime
{
    private readonly Process _process;
    private readonly Socket _socket;
    private readonly string _socketPath;
    private readonly PooledBuffer _message = new();
    private readonly TailBuffer _stderr;
    private byte[] _send = new byte[64 << 10];

    private WorkerClient(string name, Process process, Socket socket, string socketPath, TailBuffer stderr)
    {
        Name = name;
        _process = process;
        _socket = socket;
        _socketPath = socketPath;
        _stderr = stderr;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The worker's process id.</summary>
    public int ProcessId => _process.Id;

    /// <inheritdoc />
    public int? WorkerProcessId => _process.Id;

    /// <summary>Starts a V8 worker (this program, <c>worker</c>) for a function file.</summary>
    public static WorkerClient StartV8(string functionFile, V8Settings settings) =>
        Start("V8 worker (UDS)", SelfCommand.Create("worker", "{socket}", functionFile, settings.ToArgument()));

    /// <summary>Starts the Node <c>vm</c> worker (node-worker.js beside this program) on the function's shim script.</summary>
    public static WorkerClient StartNode(SampleFunction function)
    {
        var start = new ProcessStartInfo("node");
        start.ArgumentList.Add(NodeWorkerScript);
        start.ArgumentList.Add("{socket}");
        var script = WriteShim(function);
        start.ArgumentList.Add(script);
        try
        {
            return Start("Node vm worker (UDS)", start);
        }
        finally
        {
            // Read once the worker is ready (or gone).
            File.Delete(script);
        }
    }

    /// <summary>node-worker.js, copied beside this program.</summary>
    public static string NodeWorkerScript => Path.Combine(AppContext.BaseDirectory, "node-worker.js");

    /// <summary>Writes the function's shim script (<see cref="FunctionShim"/>) to a temporary file for Node.</summary>
    public static string WriteShim(SampleFunction function)
    {
        var file = Path.Combine(Path.GetTempPath(), $"needle-v8-{function.Name}-{Guid.NewGuid():N}.js");
        File.WriteAllText(file, FunctionShim.Wrap(function));
        return file;
    }

    /// <inheritdoc />
    public int Invoke(SampleRequest request, string requestId, PooledBuffer output)
    {
        _message.Clear();
        SampleFunction.WriteMessage(_message, request, requestId);
        var length = _message.WrittenSpan.Length;
        if (length + 4 > _send.Length)
        {
            _send = new byte[length + 4];
        }

        _message.WrittenSpan.CopyTo(_send.AsSpan(4));
        return Exchange(length, output);
    }

    /// <summary>Sends a message already written as text (the bombs' calls).</summary>
    public int InvokeRaw(ReadOnlySpan<byte> message, PooledBuffer output)
    {
        if (message.Length + 4 > _send.Length)
        {
            _send = new byte[message.Length + 4];
        }

        message.CopyTo(_send.AsSpan(4));
        return Exchange(message.Length, output);
    }

    /// <summary>Waits for the worker to exit and returns its exit code (128 + the signal when a signal ended it).</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill();
            _process.WaitForExit();
        }

        return _process.ExitCode;
    }

    /// <summary>The last lines the worker wrote to stderr (V8's fatal message lands there).</summary>
    public string StderrTail => _stderr.Text;

    /// <inheritdoc />
    public void Dispose()
    {
        _socket.Dispose();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        File.Delete(_socketPath);
    }

    private int Exchange(int length, PooledBuffer output)
    {
        output.Clear();
        try
        {
            Frames.Write(_socket, _send, length);
            var answer = Frames.ReadLength(_socket);
            if (answer < 3)
            {
                throw Died(null);
            }

            Span<byte> status = stackalloc byte[3];
            Frames.ReadExactly(_socket, status);
            var body = output.Writer.GetSpan(answer - 3)[..(answer - 3)];
            if (!Frames.ReadExactly(_socket, body) && body.Length > 0)
            {
                throw Died(null);
            }

            output.Writer.Advance(body.Length);
            return ((status[0] - '0') * 100) + ((status[1] - '0') * 10) + (status[2] - '0');
        }
        catch (Exception ex) when (ex is SocketException or EndOfStreamException)
        {
            throw Died(ex);
        }
    }

    private WorkerDiedException Died(Exception? inner)
    {
        var code = WaitForExit(TimeSpan.FromSeconds(10));
        return new WorkerDiedException(code, _stderr.Text, inner);
    }

    private static WorkerClient Start(string name, ProcessStartInfo start)
    {
        var socketPath = Path.Combine(Path.GetTempPath(), $"needle-v8-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        for (var i = 0; i < start.ArgumentList.Count; i++)
        {
            if (start.ArgumentList[i] == "{socket}")
            {
                start.ArgumentList[i] = socketPath;
            }
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stderr = new TailBuffer(process);
        var ready = process.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(60)) || ready.Result != "ready")
        {
            process.Kill();
            process.WaitForExit();
            throw new InvalidOperationException($"{name} did not get ready (stdout '{(ready.IsCompletedSuccessfully ? ready.Result : "")}', stderr '{stderr.Text}').");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        return new WorkerClient(name, process, socket, socketPath, stderr);
    }

    /// <summary>Keeps the last few kilobytes a process writes to stderr.</summary>
    private sealed class TailBuffer
    {
        private readonly System.Text.StringBuilder _text = new();

        public TailBuffer(Process process)
        {
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (_text)
                {
                    _text.AppendLine(e.Data);
                    if (_text.Length > 4096)
                    {
                        _text.Remove(0, _text.Length - 4096);
                    }
                }
            };
            process.BeginErrorReadLine();
        }

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }
    }
}

/// <summary>A worker process ended while a call was in flight.</summary>
internal sealed class WorkerDiedException(int exitCode, string stderr, Exception? inner)
    : Exception($"The worker exited with code {exitCode}{Signal(exitCode)}.", inner)
{
    /// <summary>The worker's exit code.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>The end of what it wrote to stderr.</summary>
    public string Stderr { get; } = stderr;

    private static string Signal(int code) => code > 128 && code < 160 ? $" (signal {code - 128})" : "";
}
