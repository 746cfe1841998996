namespace Needle.Cli;

/// <summary>How a command prints what it got.</summary>
public enum OutputFormat
{
    /// <summary>Tables and sentences, for people.</summary>
    Table,

    /// <summary>The API's JSON, for scripts.</summary>
    Json,
}
