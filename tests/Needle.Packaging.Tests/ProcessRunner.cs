using System.Diagnostics;
using System.Text;

namespace Needle.Packaging.Tests;

/// <summary>Runs the SDK's commands the way a user types them, with the output kept for the failure message.</summary>
internal static class ProcessRunner
{
    public static async Task<string> RunAsync(string fileName, string arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(fileName, arguments, workingDirectory, environment ?? new Dictionary<string, string>(), out var output);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{fileName} {arguments}' took longer than {timeout}:\n{Text(output)}");
        }

        // WaitForExitAsync returns before the last asynchronous output lines arrive; WaitForExit() drains them.
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"'{fileName} {arguments}' in {workingDirectory} failed:\n{output}");
        return output.ToString();
    }

    /// <summary>What a <see cref="Start"/>ed process wrote so far, read under the lock its output readers take to append.</summary>
    public static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    public static Process Start(string fileName, string arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, out StringBuilder output)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The test runs under 'dotnet test': its MSBuild variables would point a child build at this build's SDK state.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILD_EXE_PATH").ToList())
        {
            info.Environment.Remove(key);
        }

        // A fresh app restores into the folder its nuget.config names, whatever this machine's cache variable says.
        info.Environment.Remove("NUGET_PACKAGES");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = log;
        return process;
    }
}
