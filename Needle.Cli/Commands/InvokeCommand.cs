using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Needle.Client;

namespace Needle.Cli.Commands;

/// <summary><c>needle invoke &lt;fn&gt;</c>: a test run of a version with a sample request; it takes no traffic.</summary>
internal static class InvokeCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var function = ReleaseCommands.FunctionArgument();
        var version = new Option<int?>("--version") { Description = "The version to run (default: the stable version)." };
        var data = new Option<string?>("--data", "-d") { Description = "A JSON body." };
        var method = new Option<string?>("--method", "-X") { Description = "The HTTP method (default: the function's first)." };
        var path = new Option<string?>("--path") { Description = "The request path, for a route with parameters (e.g. /profile/7)." };
        var query = new Option<string[]>("--query", "-q") { Description = "A query value as name=value (repeatable)." };
        var command = new Command("invoke", "Runs a version with a sample request, without traffic; prints status, body and logs.") { function, version, data, method, path, query };
        command.Runs(options, environment, async (context, cancellationToken) =>
        {
            var name = context.Value(function);
            var number = context.Value(version)
                ?? (await context.Client.GetFunctionAsync(name, cancellationToken)).Function.Release?.StableVersion
                ?? throw new UsageException($"'{name}' has no stable version; name one with --version.");
            var result = await context.Client.InvokeAsync(name, number, new InvokeRequest
            {
                Method = context.Value(method),
                Path = context.Value(path),
                Query = ParseQuery(context.Value(query)),
                Body = ParseBody(context.Value(data)),
            }, cancellationToken);
            context.Print(result, r =>
            {
                context.Line($"{name}@{number}: {r.Status} in {r.DurationMs:0.##} ms");
                context.Line(r.Body?.ToString() ?? r.Error ?? "");
                foreach (var log in r.Logs)
                {
                    context.Line($"log: {log}");
                }
            });
            return result.Status >= 500 ? ExitCodes.Refused : ExitCodes.Success;
        });
        return command;
    }

    private static Dictionary<string, string>? ParseQuery(string[]? values)
    {
        if (values is not { Length: > 0 })
        {
            return null;
        }

        var query = new Dictionary<string, string>();
        foreach (var value in values)
        {
            var equals = value.IndexOf('=');
            if (equals <= 0)
            {
                throw new UsageException($"--query '{value}' is not name=value.");
            }

            query[value[..equals]] = value[(equals + 1)..];
        }

        return query;
    }

    private static JsonNode? ParseBody(string? data)
    {
        try
        {
            return data is null ? null : JsonNode.Parse(data);
        }
        catch (JsonException e)
        {
            throw new UsageException($"--data is not valid JSON: {e.Message}");
        }
    }
}
