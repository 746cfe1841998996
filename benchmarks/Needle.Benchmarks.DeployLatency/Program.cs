// Deploy-to-serving latency: against a running Needle host, deploys N successive versions of one function and, for
// each, measures the time from the deploy call returning to the first request served by the new version (the
// Needle-Version header names the version that served), polling as fast as one connection allows.
using Needle.Benchmarks.DeployLatency;

var settings = DeployLatencySettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: Needle.Benchmarks.DeployLatency [--url http://127.0.0.1:5302] [--count 100] [--warmup 5] [--function deploy-probe] [--rollback]");
    return 2;
}

if (settings.Rollback)
{
    // Rollback on one node: from the rollback call's start to the first request served by the previous version.
    using var rollbacks = new RollbackProbe(settings);
    Console.Write(DeployLatencyReport.FormatRollback(settings, await rollbacks.RunAsync()));
    return 0;
}

using var probe = new DeployProbe(settings);
var samples = await probe.RunAsync();
Console.Write(DeployLatencyReport.Format(settings, samples));
return 0;
