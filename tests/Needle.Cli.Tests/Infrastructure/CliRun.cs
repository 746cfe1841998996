namespace Needle.Cli.Tests.Infrastructure;

/// <summary>What one <c>needle</c> run printed and exited with.</summary>
public sealed record CliRun(int Exit, string Output, string Error)
{
    public override string ToString() => $"exit {Exit}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
