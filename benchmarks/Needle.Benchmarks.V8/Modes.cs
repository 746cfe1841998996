namespace Needle.Benchmarks.V8;

/// <summary>The four modes, built for one function.</summary>
internal static class Modes
{
    public static IEnumerable<ITransformerRuntime> All(SampleFunction function)
    {
        yield return new JintRuntime(function);
        yield return new V8Runtime(function, V8Settings.None);
        yield return WorkerClient.StartV8(FunctionFile(function), V8Settings.None);
        yield return WorkerClient.StartNode(function);
    }

    /// <summary>The function's file (what the V8 worker loads).</summary>
    public static string FunctionFile(SampleFunction function) =>
        function.File ?? throw new InvalidOperationException($"{function.Name} was not loaded from a file.");
}
