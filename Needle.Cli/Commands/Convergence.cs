using System.Diagnostics;
using Spectre.Console;

namespace Needle.Cli.Commands;

/// <summary>Waits until every live node in <c>GET /nodes</c> serves a revision, with a progress line; gone nodes do not count.</summary>
internal static class Convergence
{
    public static async Task<int> WaitAsync(CommandContext context, long revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<Client.NodeStatus> nodes = [];
        await context.Out.Status().StartAsync($"waiting for every node to serve revision {revision}", async status =>
        {
            while (clock.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
            {
                nodes = (await context.Client.ListNodesAsync(cancellationToken)).Where(n => n.Live).ToList();
                var behind = nodes.Count(n => n.Revision < revision);
                if (nodes.Count > 0 && behind == 0)
                {
                    return;
                }

                status.Status($"waiting for revision {revision}: {nodes.Count - behind}/{nodes.Count} live node(s) serve it");
                await Task.Delay(100, cancellationToken);
            }
        });

        var late = nodes.Where(n => n.Revision < revision).ToList();
        if (nodes.Count > 0 && late.Count == 0)
        {
            context.Line($"all {nodes.Count} live node(s) serve revision {revision} ({clock.ElapsedMilliseconds} ms)");
            return ExitCodes.Success;
        }

        await context.Error.WriteLineAsync(
            $"needle: after {timeout.TotalSeconds:0} s, {late.Count} of {nodes.Count} live node(s) do not serve revision {revision}: {string.Join(", ", late.Select(n => $"{n.NodeId} at {n.Revision}"))}");
        return ExitCodes.Unavailable;
    }
}
