using System.CommandLine;
using System.Text.Json;
using Needle.Client;
using Spectre.Console;

namespace Needle.Cli;

/// <summary>What one command run has: its parse result, a client for the host, and where to write.</summary>
internal sealed class CommandContext(ParseResult parse, GlobalOptions options, CliEnvironment environment) : IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private NeedleApiClient? _client;

    public ParseResult Parse => parse;

    public IAnsiConsole Out => environment.Out;

    public TextWriter Error => environment.Error;

    public OutputFormat Output => parse.GetValue(options.Output);

    public Uri Url
    {
        get
        {
            var text = parse.GetValue(options.Url) ?? environment.Variable("NEEDLE_URL") ?? "http://127.0.0.1:5080";
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new UsageException($"--url '{text}' is not an http or https URL.");
            }

            return url;
        }
    }

    public NeedleApiClient Client => _client ??= NeedleApiClient.Create(Url, parse.GetValue(options.ApiKey) ?? environment.Variable("NEEDLE_API_KEY"));

    public T Value<T>(Option<T> option) => parse.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => parse.GetValue(argument)!;

    /// <summary>Prints a result: as JSON with <c>--output json</c>, else the way <paramref name="table"/> says.</summary>
    public void Print<T>(T value, Action<T> table)
    {
        if (Output == OutputFormat.Json)
        {
            Out.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, s_json));
        }
        else
        {
            table(value);
        }
    }

    /// <summary>One line of text, not read as Spectre markup.</summary>
    public void Line(string text) => Out.WriteLine(text);

    public void Dispose() => _client?.Dispose();
}
