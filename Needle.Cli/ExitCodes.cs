namespace Needle.Cli;

/// <summary>What <c>needle</c> exits with, for CI scripts.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The server refused it (4xx): bad source, unknown function, stale base hash, failed gate, bad API key.</summary>
    public const int Refused = 1;

    /// <summary>The command line was wrong, or a file it names cannot be read.</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached, timed out, or failed (5xx).</summary>
    public const int Unavailable = 3;
}
