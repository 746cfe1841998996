using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Needle.Client;

namespace Needle.Cli.Commands;

/// <summary><c>needle patch</c>: an emergency patch against the current stable version, whose hash it looks up itself.</summary>
internal static class PatchCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var function = ReleaseCommands.FunctionArgument();
        var diff = new Option<string?>("--diff") { Description = "A unified diff against the stable version's source." };
        var source = new Option<string?>("--source") { Description = "A whole new source." };
        var config = new Option<string?>("--config") { Description = "A JSON file: the new config of the stable version's manifest." };
        var baseVersion = new Option<int?>("--base") { Description = "The version the patch is made against (default: the stable version). A version that no longer serves is refused." };
        var reason = new Option<string>("--reason", "-r") { Description = "Why. Required.", Required = true };
        var skipTests = ReleaseCommands.SkipTestsOption();
        var command = new Command("patch", "Emergency patch to all traffic: exactly one of --diff, --source or --config.") { function, diff, source, config, baseVersion, reason, skipTests };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var given = new[] { context.Value(diff), context.Value(source), context.Value(config) }.Count(v => v is not null);
            if (given != 1)
            {
                throw new UsageException("give exactly one of --diff, --source or --config.");
            }

            var name = context.Value(function);
            var detail = await context.Client.GetFunctionAsync(name, cancellationToken);
            var stable = context.Value(baseVersion) ?? detail.Function.Release?.StableVersion
                ?? throw new UsageException($"'{name}' has no stable version to patch; deploy one first.");
            var baseHash = detail.Versions.SingleOrDefault(v => v.Number == stable)?.ContentHash
                ?? throw new UsageException($"'{name}' has no version {stable}.");
            var request = new PatchRequest
            {
                BaseHash = baseHash,
                Diff = Read(context.Value(diff)),
                Source = Read(context.Value(source)),
                Config = context.Value(config) is string path ? ReadConfig(path) : null,
                Reason = context.Value(reason),
                SkipTests = context.Value(skipTests),
            };
            JsonElement result;
            try
            {
                result = await context.Client.PatchAsync(name, request, cancellationToken);
            }
            catch (NeedleApiException e) when (e.Status == HttpStatusCode.Conflict)
            {
                // A stale base: the version patched is not (or no longer) the stable one. Say which serves instead.
                var serving = (await context.Client.GetFunctionAsync(name, cancellationToken)).Function.Release?.StableVersion;
                if (serving is null || serving == stable)
                {
                    throw;
                }

                throw new NeedleApiException(e.Status, e.Title,
                    $"{e.Detail} The patch was made against {name}@{stable} (hash {baseHash[..12]}…), but {name}@{serving} is the stable version now; check it with 'needle diff {name} {stable} {serving}' and patch that one.",
                    e.Diagnostics);
            }

            context.Print(result, r => context.Line($"{name}: patch against {name}@{stable} accepted: {Summary(r)}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string? Read(string? path)
    {
        if (path is null)
        {
            return null;
        }

        return File.Exists(path) ? File.ReadAllText(path) : throw new UsageException($"'{path}' does not exist.");
    }

    private static JsonObject ReadConfig(string path)
    {
        try
        {
            return JsonNode.Parse(Read(path)!) as JsonObject ?? throw new UsageException($"{path}: a config is a JSON object.");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}");
        }
    }

    private static string Summary(JsonElement result) =>
        result.ValueKind != JsonValueKind.Object ? result.ToString()
        : result.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.Number ? $"version {version.GetInt32()}"
        : result.TryGetProperty("id", out var id) ? $"patch run {id}"
        : result.ToString();
}
