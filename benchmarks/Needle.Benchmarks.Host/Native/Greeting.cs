namespace Needle.Benchmarks.Host.Native;

/// <summary>What <c>/native/hello</c> answers.</summary>
internal sealed record Greeting(string Message);
