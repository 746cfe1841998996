using System.Net.Sockets;
using System.Text;
using Microsoft.ClearScript;

namespace Needle.Benchmarks.V8;

/// <summary>
/// The V8 worker process: one engine for one function, serving one host connection on a Unix domain socket, one call at
/// a time. It prints <c>ready</c> once it listens and exits when the host hangs up. A script error is a 500 answer; an
/// engine that V8 or ClearScript declared unusable is replaced. A V8 fatal error ends this process, not the host.
/// </summary>
internal static class WorkerServer
{
    /// <summary><c>worker SOCKET FUNCTION_FILE V8_SETTINGS</c>.</summary>
    public static int Run(string socketPath, string functionFile, V8Settings settings)
    {
        var function = SampleFunction.Load(functionFile);
        var runtime = new V8Runtime(function, settings);
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        System.Console.Out.WriteLine("ready");
        System.Console.Out.Flush();

        using var connection = listener.Accept();
        var receive = new byte[64 << 10];
        var send = new byte[64 << 10];
        while (true)
        {
            var length = Frames.ReadLength(connection);
            if (length < 0)
            {
                break;
            }

            if (length > receive.Length)
            {
                receive = new byte[length];
            }

            Frames.ReadExactly(connection, receive.AsSpan(0, length));
            string answer;
            try
            {
                answer = runtime.InvokeText(Encoding.UTF8.GetString(receive, 0, length));
            }
            catch (ScriptEngineException ex)
            {
                answer = "500" + System.Text.Json.JsonSerializer.Serialize(new { title = "Function failed", detail = ex.Message, fatal = ex.IsFatal });
                if (ex.IsFatal)
                {
                    runtime.Dispose();
                    runtime = new V8Runtime(function, settings);
                }
            }
            catch (ScriptInterruptedException ex)
            {
                answer = "500" + System.Text.Json.JsonSerializer.Serialize(new { title = "Function interrupted", detail = ex.Message });
                runtime.Dispose();
                runtime = new V8Runtime(function, settings);
            }

            var max = Encoding.UTF8.GetMaxByteCount(answer.Length) + 4;
            if (max > send.Length)
            {
                send = new byte[max];
            }

            var bytes = Encoding.UTF8.GetBytes(answer, send.AsSpan(4));
            Frames.Write(connection, send, bytes);
        }

        runtime.Dispose();
        File.Delete(socketPath);
        return 0;
    }
}
