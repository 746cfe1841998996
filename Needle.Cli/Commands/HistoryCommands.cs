using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Needle.Cli.Commands;

/// <summary>What happened and where things stand: <c>history</c>, <c>audit</c>, <c>nodes</c>.</summary>
internal static class HistoryCommands
{
    public static IEnumerable<Command> Create(GlobalOptions options, CliEnvironment environment)
    {
        yield return History(options, environment);
        yield return Audit(options, environment);
        yield return Nodes(options, environment);
    }

    private static Command History(GlobalOptions options, CliEnvironment environment)
    {
        var function = ReleaseCommands.FunctionArgument();
        var command = new Command("history", "A function's release history, newest first.") { function };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var releases = await context.Client.ListReleasesAsync(context.Value(function), cancellationToken);
            context.Print(releases, list =>
            {
                var table = new Table().AddColumns("revision", "when", "action", "stable", "canary", "weight", "who", "why");
                foreach (var r in list)
                {
                    table.AddRow(
                        r.Revision.ToString(CultureInfo.InvariantCulture),
                        r.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                        Markup.Escape(r.Action),
                        r.StableVersion.ToString(CultureInfo.InvariantCulture),
                        r.CanaryVersion?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        r.CanaryVersion is null ? "-" : r.CanaryWeight.ToString("0.###", CultureInfo.InvariantCulture) + " %",
                        Markup.Escape(r.Actor),
                        Markup.Escape(r.Reason ?? ""));
                }

                context.Out.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Audit(GlobalOptions options, CliEnvironment environment)
    {
        var function = new Option<string?>("--function", "-f") { Description = "Only this function's events." };
        var limit = new Option<int>("--limit", "-n") { Description = "How many events (1-1000).", DefaultValueFactory = _ => 50 };
        var command = new Command("audit", "The audit log, newest first: who did what, when and why.") { function, limit };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var n = context.Value(limit);
            if (n is < 1 or > 1000)
            {
                throw new UsageException($"--limit {n} is not between 1 and 1000.");
            }

            var events = await context.Client.ListAuditAsync(context.Value(function), n, cancellationToken);
            context.Print(events, list =>
            {
                var table = new Table().AddColumns("when", "who", "action", "function", "version", "revision", "why", "detail");
                foreach (var e in list)
                {
                    table.AddRow(
                        e.At.ToString("u", CultureInfo.InvariantCulture),
                        Markup.Escape(e.Actor),
                        Markup.Escape(e.Action),
                        Markup.Escape(e.Function ?? "-"),
                        e.Version?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        e.Revision?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        Markup.Escape(e.Reason ?? ""),
                        Markup.Escape(e.Detail ?? ""));
                }

                context.Out.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    // "hello 3 (canary 4), shop 2 (killed)": what the console's function page shows, one line per node.
    private static string Serves(Client.NodeStatus node) =>
        node.Functions is not { Count: > 0 } functions
            ? "-"
            : string.Join(", ", functions.Select(f => FormattableString.Invariant(
                $"{f.Name} {f.StableVersion}{(f.CanaryVersion is { } canary ? $" (canary {canary})" : "")}{(f.KillSwitchOn ? " (killed)" : "")}")));

    private static Command Nodes(GlobalOptions options, CliEnvironment environment)
    {
        var command = new Command("nodes", "Every node: live or gone, its revision, heartbeat age and the versions it serves.");
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var nodes = await context.Client.ListNodesAsync(cancellationToken);
            context.Print(nodes, list =>
            {
                var table = new Table().AddColumns("node", "state", "revision", "heartbeat", "serves");
                foreach (var node in list)
                {
                    table.AddRow(
                        Markup.Escape(node.NodeId),
                        node.Live ? "live" : "[red]gone[/]",
                        node.Revision.ToString(CultureInfo.InvariantCulture),
                        node.HeartbeatAgeSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s ago",
                        Markup.Escape(Serves(node)));
                }

                context.Out.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
