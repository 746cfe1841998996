using System.CommandLine;
using System.Text.Json;

namespace Needle.Cli.Commands;

/// <summary><c>needle diff &lt;fn&gt; &lt;a&gt; &lt;b&gt;</c>: what changed between two versions, source and manifest.</summary>
internal static class DiffCommand
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var function = ReleaseCommands.FunctionArgument();
        var from = new Argument<int>("a") { Description = "The older version." };
        var to = new Argument<int>("b") { Description = "The newer version." };
        var command = new Command("diff", "A unified diff of two versions' sources and manifests.") { function, from, to };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var name = context.Value(function);
            var a = await context.Client.GetVersionAsync(name, context.Value(from), cancellationToken);
            var b = await context.Client.GetVersionAsync(name, context.Value(to), cancellationToken);
            var lines = LineDiff.Unified($"{name}@{a.Number}", a.Source, $"{name}@{b.Number}", b.Source)
                .Concat(LineDiff.Unified($"{name}@{a.Number} manifest", Manifest(a), $"{name}@{b.Number} manifest", Manifest(b)))
                .ToList();
            context.Print(new { function = name, a = a.Number, b = b.Number, diff = string.Join('\n', lines) }, _ =>
            {
                foreach (var line in lines)
                {
                    context.Line(line);
                }

                if (lines.Count == 0)
                {
                    context.Line($"{name}@{a.Number} and {name}@{b.Number} are the same.");
                }
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Manifest(Client.VersionDetail version) => version.Manifest?.ToJsonString(s_indented) ?? "";
}
