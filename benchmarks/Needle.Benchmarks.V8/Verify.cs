using System.Text;

namespace Needle.Benchmarks.V8;

/// <summary>Checks that every mode gives the same status and the same body bytes for the sample request.</summary>
internal static class Verify
{
    public static int Run(SampleFunction function)
    {
        var output = new PooledBuffer();
        string? expected = null;
        var failed = false;
        foreach (var runtime in Modes.All(function))
        {
            using (runtime)
            {
                var status = runtime.Invoke(SampleFunction.Request, "bench-1", output);
                var body = Encoding.UTF8.GetString(output.WrittenSpan);
                expected ??= body;
                var same = body == expected && status == 200;
                failed |= !same;
                System.Console.WriteLine($"{runtime.Name,-24} {status} {output.WrittenSpan.Length,6} B {(same ? "same" : "DIFFERENT: " + body[..Math.Min(200, body.Length)])}");
            }
        }

        System.Console.WriteLine(expected?[..Math.Min(160, expected.Length)]);
        return failed ? 1 : 0;
    }
}
