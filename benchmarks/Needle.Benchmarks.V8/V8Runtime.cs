using System.Text;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace Needle.Benchmarks.V8;

/// <summary>
/// ClearScript V8 in-process: one engine per version, reused for every call. The request crosses into V8 as one
/// JSON string (<c>JSON.parse</c> inside; building objects property by property through the host interface costs a
/// transition each), the response comes back as one string.
/// </summary>
internal sealed class V8Runtime : ITransformerRuntime
{
    private readonly PooledBuffer _message = new();
    private readonly ScriptObject _start;
    private readonly ScriptObject _take;

    public V8Runtime(SampleFunction function, V8Settings settings)
    {
        Engine = settings.CreateEngine();
        Engine.Execute(new DocumentInfo(function.Name + ".js"), FunctionShim.Wrap(function));
        // Handles from Evaluate: a function handle read with Engine.Global.GetProperty costs 10-40x more per call
        // (measured 150-760 µs against 8-25 µs for the same __take on this machine), for no reason ClearScript documents.
        _start = (ScriptObject)Engine.Evaluate("__start");
        _take = (ScriptObject)Engine.Evaluate("__take");
    }

    /// <summary>The engine (the bombs check what is left of it).</summary>
    public V8ScriptEngine Engine { get; }

    /// <inheritdoc />
    public string Name => "V8 in-process";

    /// <inheritdoc />
    public int Invoke(SampleRequest request, string requestId, PooledBuffer output)
    {
        _message.Clear();
        SampleFunction.WriteMessage(_message, request, requestId);
        var answer = InvokeText(Encoding.UTF8.GetString(_message.WrittenSpan));
        output.Clear();
        var span = output.Writer.GetSpan(Encoding.UTF8.GetMaxByteCount(answer.Length - 3));
        output.Writer.Advance(Encoding.UTF8.GetBytes(answer.AsSpan(3), span));
        return ParseStatus(answer);
    }

    /// <summary>One call from message text to answer text (status digits, then the body).</summary>
    public string InvokeText(string message)
    {
        _start.InvokeAsFunction(message);
        return _take.InvokeAsFunction() as string
            ?? throw new InvalidOperationException("The handler's promise is still pending after the call: this benchmark does not pump host calls.");
    }

    /// <summary>The status in an answer's first three characters.</summary>
    public static int ParseStatus(ReadOnlySpan<char> answer) => ((answer[0] - '0') * 100) + ((answer[1] - '0') * 10) + (answer[2] - '0');

    /// <inheritdoc />
    public void Dispose() => Engine.Dispose();
}
