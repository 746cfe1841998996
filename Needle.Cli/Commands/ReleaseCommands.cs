using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Needle.Client;

namespace Needle.Cli.Commands;

/// <summary>Release moves: <c>canary</c>, <c>promote</c>, <c>abort</c>, <c>rollback</c>, <c>kill</c>, <c>unkill</c>; each audited with a reason.</summary>
internal static class ReleaseCommands
{
    public static IEnumerable<Command> Create(GlobalOptions options, CliEnvironment environment)
    {
        yield return Canary(options, environment);
        yield return Promote(options, environment);
        yield return Move("abort", "Drops the canary; the stable version serves everyone.", options, environment, (c, n, r, t) => c.AbortAsync(n, r, t));
        yield return Rollback(options, environment);
        yield return Kill(options, environment);
        yield return Move("unkill", "Kill switch off: the release's versions serve again.", options, environment, (c, n, r, t) => c.ReviveAsync(n, r, t));
    }

    private static Command Canary(GlobalOptions options, CliEnvironment environment)
    {
        var function = FunctionArgument();
        var weight = new Option<double>("--weight", "-w") { Description = "The canary's share of traffic (0-100 %).", Required = true };
        var version = new Option<int?>("--version") { Description = "The version to serve as canary (default: the current canary)." };
        var pins = new Option<string[]>("--pin") { Description = "A user key that always gets the canary (repeatable)." };
        var reason = ReasonOption();
        var skipTests = SkipTestsOption();
        var command = new Command("canary", "Sets a canary's weight, version or pinned users.") { function, weight, version, pins, reason, skipTests };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var release = await context.Client.SetCanaryAsync(context.Value(function), new CanaryRequest
            {
                Weight = context.Value(weight),
                Version = context.Value(version),
                Pins = context.Value(pins) is { Length: > 0 } p ? p : null,
                Reason = context.Value(reason),
                SkipTests = context.Value(skipTests),
            }, cancellationToken);
            context.Print(release, r => context.Line(Describe(r)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Promote(GlobalOptions options, CliEnvironment environment)
    {
        var function = FunctionArgument();
        var reason = ReasonOption();
        var skipTests = SkipTestsOption();
        var command = new Command("promote", "Makes the canary the stable version.") { function, reason, skipTests };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var release = await context.Client.PromoteAsync(context.Value(function), context.Value(reason), context.Value(skipTests), cancellationToken);
            context.Print(release, r => context.Line(Describe(r)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rollback(GlobalOptions options, CliEnvironment environment)
    {
        var function = FunctionArgument();
        var to = new Option<int?>("--to") { Description = "The version to put back (default: the previous stable version)." };
        var reason = ReasonOption();
        var command = new Command("rollback", "Puts the previous stable version (or --to N) back on every node.") { function, to, reason };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var result = await context.Client.RollbackAsync(context.Value(function), context.Value(to), context.Value(reason), cancellationToken);
            context.Print(result, r => context.Line(DescribeRollback(context.Value(function), r)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Kill(GlobalOptions options, CliEnvironment environment)
    {
        var function = FunctionArgument();
        var status = new Option<int>("--status") { Description = "The fallback response's status.", DefaultValueFactory = _ => 503 };
        var body = new Option<string?>("--body") { Description = "The fallback response's body." };
        var reason = ReasonOption();
        var command = new Command("kill", "Kill switch on: every request gets the fallback response until 'needle unkill'.") { function, status, body, reason };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var release = await context.Client.KillAsync(context.Value(function), context.Value(status), context.Value(body), context.Value(reason), cancellationToken);
            context.Print(release, r => context.Line($"{r.Function}: killed, every request answers {context.Value(status).ToString(CultureInfo.InvariantCulture)} (revision {r.Revision})"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Move(string name, string description, GlobalOptions options, CliEnvironment environment, Func<NeedleApiClient, string, string?, CancellationToken, Task<Release>> move)
    {
        var function = FunctionArgument();
        var reason = ReasonOption();
        var command = new Command(name, description) { function, reason };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var release = await move(context.Client, context.Value(function), context.Value(reason), cancellationToken);
            context.Print(release, r => context.Line(Describe(r)));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static Argument<string> FunctionArgument() => new("function") { Description = "The function's name." };

    internal static Option<string?> ReasonOption() => new("--reason", "-r") { Description = "Why; recorded in the audit trail." };

    internal static Option<bool> SkipTestsOption() => new("--skip-tests") { Description = "Emergency only: go around the version's test cases (needs --reason; audited as tests-skipped)." };

    internal static string Describe(Release release)
    {
        var serving = release.CanaryVersion is int canary
            ? $"stable {release.StableVersion}, canary {canary} at {release.CanaryWeight.ToString(CultureInfo.InvariantCulture)} %"
            : $"stable {release.StableVersion}";
        var killed = release.KillSwitch is not null ? ", killed" : "";
        return $"{release.Function}: {release.Action}: {serving}{killed} (revision {release.Revision})";
    }

    private static string DescribeRollback(string function, JsonElement result)
    {
        // 200 with the release when the host rolls back itself; 202 with a job when Needle.Rollback runs it.
        if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("stableVersion", out var stable))
        {
            return $"{function}: rolled back, stable {stable.GetInt32().ToString(CultureInfo.InvariantCulture)}"
                + (result.TryGetProperty("revision", out var revision) ? $" (revision {revision.GetInt64().ToString(CultureInfo.InvariantCulture)})" : "");
        }

        return $"{function}: rollback accepted: {result}";
    }
}
