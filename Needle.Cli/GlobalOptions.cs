using System.CommandLine;

namespace Needle.Cli;

/// <summary>The options every command takes: where the host is, the API key, the output format.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "The host (http://127.0.0.1:5080, API at /needle/api) or the API's root URL. Default: $NEEDLE_URL, else http://127.0.0.1:5080.",
        Recursive = true,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "The host's API key, for a host that is not local. Default: $NEEDLE_API_KEY.",
        Recursive = true,
    };

    public Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "table (for people) or json (for scripts).",
        DefaultValueFactory = _ => OutputFormat.Table,
        Recursive = true,
    };
}
