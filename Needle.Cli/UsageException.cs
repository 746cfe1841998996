namespace Needle.Cli;

/// <summary>A command line that cannot run as given (exit code 2); the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);
