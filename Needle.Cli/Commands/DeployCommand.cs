using System.CommandLine;
using System.Globalization;
using Needle.Client;

namespace Needle.Cli.Commands;

/// <summary><c>needle deploy &lt;file&gt;</c>: a new version, as stable, as a canary, or through a release plan.</summary>
internal static class DeployCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var file = new Argument<string>("file") { Description = "The function: name.js or name.cs (name.json beside it is its manifest)." };
        var name = new Option<string?>("--name") { Description = "The function's name (default: the file's name)." };
        var manifest = new Option<string?>("--manifest") { Description = "The manifest file (default: name.json beside the source)." };
        var canary = new Option<double?>("--canary") { Description = "Serve the new version as a canary at this weight (0-100 %)." };
        var pins = new Option<string[]>("--pin") { Description = "A user key that always gets the canary (repeatable).", AllowMultipleArgumentsPerToken = false };
        var plan = new Option<string?>("--plan") { Description = "Release through these canary weights, e.g. 1,5,20,50,100 (Needle.Rollback)." };
        var stepWait = new Option<double>("--step-wait") { Description = "With --plan: seconds each step runs before the guard's gate decides.", DefaultValueFactory = _ => 60 };
        var reason = new Option<string?>("--reason") { Description = "Why; recorded in the audit trail." };
        var skipTests = ReleaseCommands.SkipTestsOption();
        var wait = new Option<bool>("--wait") { Description = "Wait until every node serves the change." };
        var waitTimeout = new Option<double>("--wait-timeout") { Description = "Seconds --wait waits at most.", DefaultValueFactory = _ => 60 };
        var command = new Command("deploy", "Deploys a function file; parse or compile errors print as file:line:col and exit 1.")
        {
            file, name, manifest, canary, pins, plan, stepWait, reason, skipTests, wait, waitTimeout,
        };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var function = FunctionFile.Read(context.Value(file), context.Value(name), context.Value(manifest));
            var weight = context.Value(canary);
            var steps = ParsePlan(context.Value(plan));
            var pinned = context.Value(pins) ?? [];
            if (steps is not null && (weight is not null || pinned.Length > 0))
            {
                throw new UsageException("--plan releases through its own weights; leave out --canary and --pin.");
            }

            if (weight is < 0 or > 100)
            {
                throw new UsageException($"--canary {weight} is not a weight between 0 and 100.");
            }

            DeployResult result;
            try
            {
                result = await context.Client.DeployAsync(function.Name, new DeployRequest
                {
                    Source = function.Source,
                    Manifest = function.Manifest,
                    Reason = context.Value(reason),
                    Activate = steps is null ? null : false,
                    Canary = weight is null && pinned.Length == 0 ? null : new CanaryRequest { Weight = weight ?? 0, Pins = pinned, Reason = context.Value(reason) },
                    SkipTests = context.Value(skipTests),
                }, cancellationToken);
            }
            catch (NeedleApiException refused) when (refused.Diagnostics.Count > 0)
            {
                return await DiagnosticPrinter.RefusedAsync(context, function.Path, refused);
            }

            foreach (var warning in result.Warnings)
            {
                await context.Error.WriteLineAsync(DiagnosticPrinter.Format(function.Path, warning));
            }

            if (steps is not null)
            {
                await context.Client.StartPlanAsync(function.Name, result.Version, steps, TimeSpan.FromSeconds(context.Value(stepWait)), context.Value(reason), context.Value(skipTests), cancellationToken);
            }

            var release = (await context.Client.GetFunctionAsync(function.Name, cancellationToken)).Function.Release;
            context.Print(result, r => context.Line(Describe(r, release, steps)));
            if (context.Value(wait) && release is not null)
            {
                return await Convergence.WaitAsync(context, release.Revision, TimeSpan.FromSeconds(context.Value(waitTimeout)), cancellationToken);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Describe(DeployResult result, Release? release, IReadOnlyList<double>? steps)
    {
        var label = $"{result.Function}@{result.Version}";
        var role = steps is not null ? $"release plan {string.Join(" → ", steps.Select(s => s.ToString(CultureInfo.InvariantCulture) + " %"))} started"
            : release?.CanaryVersion == result.Version ? $"canary at {release.CanaryWeight.ToString(CultureInfo.InvariantCulture)} %"
            : release?.StableVersion == result.Version ? "stable"
            : "not serving";
        return result.Unchanged ? $"{label} unchanged ({role})" : $"deployed {label}: {role}, revision {result.Revision}";
    }

    private static IReadOnlyList<double>? ParsePlan(string? plan)
    {
        if (plan is null)
        {
            return null;
        }

        var steps = new List<double>();
        foreach (var part in plan.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var step) || step is <= 0 or > 100)
            {
                throw new UsageException($"--plan '{plan}': '{part}' is not a weight above 0 and at most 100.");
            }

            steps.Add(step);
        }

        return steps;
    }
}
