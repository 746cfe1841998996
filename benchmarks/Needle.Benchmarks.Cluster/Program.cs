// Cluster convergence: against three nodes of one cluster (NEEDLE_NODES or --nodes, space-separated base URLs), deploys
// and rolls back one function through the API and measures, for each change, the time from the API call's return
// until every node serves it (each node polled tightly on a connection of its own). With --swaps, instead, keeps
// clients calling the function on every node while it swaps versions, and counts the requests that failed.
using Needle.Benchmarks.Cluster;

var settings = ClusterSettings.Parse(args, Environment.GetEnvironmentVariable("NEEDLE_NODES"));
if (settings is null)
{
    System.Console.Error.WriteLine("usage: Needle.Benchmarks.Cluster [--nodes \"http://127.0.0.1:5081 ...\"] [--count 100] [--warmup 5] [--swaps 50] [--clients 4] [--label text]");
    return 2;
}

using var probe = new ConvergenceProbe(settings);
if (settings.Swaps > 0)
{
    var load = await new SwapLoad(settings, probe).RunAsync();
    System.Console.Write(ClusterReport.FormatLoad(settings, load));
    return load.Failed == 0 ? 0 : 1;
}

var (deploys, rollbacks) = await probe.RunAsync();
System.Console.Write(ClusterReport.Format(settings, deploys, rollbacks));
return 0;
