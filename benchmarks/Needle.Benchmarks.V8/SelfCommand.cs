using System.Diagnostics;

namespace Needle.Benchmarks.V8;

/// <summary>Starts this program again as a child process with other arguments (the workers and the memory bombs).</summary>
internal static class SelfCommand
{
    /// <summary>A start description for this program with <paramref name="arguments"/>.</summary>
    public static ProcessStartInfo Create(params string[] arguments)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown.");
        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SelfCommand).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
