using Spectre.Console;

namespace Needle.Cli;

/// <summary>
/// Where a command writes and what it reads from its surroundings. The real one is the terminal and the process's
/// environment; tests pass their own writers and variables.
/// </summary>
/// <param name="Out">Tables, progress and JSON.</param>
/// <param name="Error">One-line errors and diagnostics.</param>
/// <param name="Variable">Reads an environment variable (<c>NEEDLE_URL</c>, <c>NEEDLE_API_KEY</c>).</param>
public sealed record CliEnvironment(IAnsiConsole Out, TextWriter Error, Func<string, string?> Variable)
{
    /// <summary>The terminal and the process's environment.</summary>
    public static CliEnvironment System() => new(AnsiConsole.Console, global::System.Console.Error, Environment.GetEnvironmentVariable);

    /// <summary>Plain text into writers, no colours or animation, a wide line (for tests and redirected output).</summary>
    /// <param name="output">Receives standard output.</param>
    /// <param name="error">Receives standard error.</param>
    /// <param name="variables">The environment variables the command sees.</param>
    /// <returns>The environment.</returns>
    public static CliEnvironment Plain(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string>? variables = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        return new CliEnvironment(console, error, name => variables is not null && variables.TryGetValue(name, out var value) ? value : null);
    }
}
