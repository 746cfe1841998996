using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Needle.Cluster.Tests;

/// <summary>
/// samples/cluster/run.sh as a user runs it: a PostgreSQL of its own and three sample nodes that serve, converge, and
/// are all gone (nodes and database) when the script ends, by itself or on Ctrl-C.
/// </summary>
[TestClass]
public sealed class ClusterScriptTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(10);

    [TestMethod]
    public async Task Check_OnThisMachine_StartsAWorkingThreeNodeClusterAndStopsIt()
    {
        // Arrange
        var ports = Ports();

        // Act
        using var script = Start("--check", ports);
        var exited = await script.WaitForExitAsync(ScriptTimeout);

        // Assert
        Assert.IsTrue(exited, $"run.sh --check did not end within {ScriptTimeout}:\n{script.Output}");
        Assert.AreEqual(0, script.ExitCode, script.Output);
        StringAssert.Contains(script.Output, "check passed", script.Output);
        foreach (var port in ports[..3])
        {
            StringAssert.Contains(script.Output, $"http://127.0.0.1:{port}/needle/api/functions", "the script prints each node's URLs");
        }

        AssertAllStopped(ports, script.Output);
    }

    [TestMethod]
    public async Task Run_CtrlC_StopsNodesAndPostgres()
    {
        // Arrange: the cluster runs until interrupted.
        var ports = Ports();
        using var script = Start(null, ports);
        await Eventually.WaitAsync(() => script.Output.Contains("Ctrl-C stops the cluster.", StringComparison.Ordinal) || script.HasExited, "the cluster to run", ScriptTimeout);
        Assert.IsFalse(script.HasExited, script.Output);
        using var client = new HttpClient();
        var (status, body, _) = await client.GetResultAsync($"http://127.0.0.1:{ports[2]}/fn/hello?name=cluster");
        Assert.AreEqual(200, status, body);

        // Act: what Ctrl-C sends.
        script.Interrupt();

        // Assert
        // Three nodes and PostgreSQL stop one after another: 20-35 s here, and run.sh bounds each stop (30 s, then kill).
        Assert.IsTrue(await script.WaitForExitAsync(TimeSpan.FromMinutes(2)), $"run.sh did not stop on SIGINT:\n{script.Output}");
        StringAssert.Contains(script.Output, "stopped.", script.Output);
        AssertAllStopped(ports, script.Output);
    }

    // Three node ports and PostgreSQL's, free now (not 5081-5083: other runs may hold those).
    private static int[] Ports() => [FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next()];

    private static ScriptRun Start(string? argument, int[] ports)
    {
        if (!Directory.Exists("/usr/lib/postgresql") && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Assert.Inconclusive("PostgreSQL's server binaries (Debian's postgresql package) are not installed.");
        }

        // Through env --default-signal=INT: a test run started in the background of a shell without job control
        // (nohup ... &) inherits SIGINT as ignored, and bash cannot trap a signal ignored at its start, so run.sh would
        // never see the Ctrl-C this test sends. A user's terminal never ignores it; this restores what the user has.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add(RepositoryRoot.Combine("samples", "cluster", "run.sh"));
        if (argument is not null)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NEEDLE_CLUSTER_PORTS"] = string.Join(' ', ports[..3].Select(p => p.ToString(CultureInfo.InvariantCulture)));
        start.Environment["NEEDLE_PG_PORT"] = ports[3].ToString(CultureInfo.InvariantCulture);

        // The sample this test project built, so the script does not build it again.
        start.Environment["NEEDLE_SAMPLE_DLL"] = Path.Combine(AppContext.BaseDirectory, "Needle.Sample.dll");
        return new ScriptRun(Process.Start(start)!);
    }

    private static void AssertAllStopped(int[] ports, string output)
    {
        foreach (var port in ports)
        {
            using var client = new TcpClient();
            var refused = false;
            try
            {
                client.Connect("127.0.0.1", port);
            }
            catch (SocketException)
            {
                refused = true;
            }

            Assert.IsTrue(refused, $"something still listens on {port} after run.sh ended:\n{output}");
        }
    }

    private sealed class ScriptRun : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public ScriptRun(Process process)
        {
            _process = process;
            DataReceivedEventHandler collect = (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_output)
                    {
                        _output.AppendLine(e.Data);
                    }
                }
            };
            process.OutputDataReceived += collect;
            process.ErrorDataReceived += collect;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

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

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public void Interrupt() => Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

        public async Task<bool> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                // SIGINT first, so the script's own cleanup stops the nodes and PostgreSQL.
                Interrupt();
                if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.Dispose();
        }
    }
}
