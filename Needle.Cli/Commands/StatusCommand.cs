using System.CommandLine;
using System.Globalization;
using Needle.Client;
using Spectre.Console;

namespace Needle.Cli.Commands;

/// <summary><c>needle status</c>: every function's release and health, and which revision each node serves.</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var command = new Command("status", "Every function with stable, canary and weight, rate, errors and p99, and node convergence.");
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var functions = await context.Client.ListFunctionsAsync(cancellationToken);
            var health = await context.Client.GetHealthAsync(cancellationToken);
            var nodes = await context.Client.ListNodesAsync(cancellationToken);
            context.Print(new { functions, health, nodes }, _ => Render(context, functions, health, nodes));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Render(CommandContext context, IReadOnlyList<FunctionSummary> functions, HealthSummary? health, IReadOnlyList<NodeStatus> nodes)
    {
        var table = new Table().AddColumns("function", "stable", "canary", "weight", "rate/s", "errors", "p99 ms", "serving");
        foreach (var function in functions)
        {
            var window = health?.Functions.FirstOrDefault(f => f.Function == function.Name)?.Windows.FirstOrDefault(w => w.Window == "1m")
                ?? health?.Functions.FirstOrDefault(f => f.Function == function.Name)?.Windows.FirstOrDefault();
            var release = function.Release;
            table.AddRow(
                Markup.Escape(function.Name),
                release is null ? "-" : release.StableVersion.ToString(CultureInfo.InvariantCulture),
                release?.CanaryVersion?.ToString(CultureInfo.InvariantCulture) ?? "-",
                release?.CanaryVersion is null ? "-" : release.CanaryWeight.ToString("0.###", CultureInfo.InvariantCulture) + " %",
                window is null ? "-" : window.Rate.ToString("0.##", CultureInfo.InvariantCulture),
                window is null ? "-" : window.ErrorRatio.ToString("0.##%", CultureInfo.InvariantCulture),
                window?.P99Ms?.ToString("0.#", CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(release?.KillSwitch is not null ? "killed" : function.LoadError is not null ? $"load error: {function.LoadError}" : function.Serving ?? "-"));
        }

        context.Out.Write(table);
        var latest = functions.Select(f => f.Release?.Revision ?? 0).DefaultIfEmpty(0).Max();
        var live = nodes.Where(n => n.Live).ToList();
        var gone = nodes.Count - live.Count;
        var behind = live.Where(n => n.Revision < latest).ToList();
        var goneNote = gone == 0 ? "" : $" ({gone} gone, not counted)";
        context.Line(behind.Count == 0
            ? $"{live.Count} live node(s){goneNote}, all at revision {latest} or later."
            : $"{live.Count} live node(s){goneNote}; behind revision {latest}: {string.Join(", ", behind.Select(n => $"{n.NodeId} (at {n.Revision})"))}.");
        if (health is null)
        {
            context.Line("(no health figures: the host has no Needle.Observability)");
        }
    }
}
