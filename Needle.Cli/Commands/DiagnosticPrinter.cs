using Needle.Client;

namespace Needle.Cli.Commands;

/// <summary>Prints a refused source the way a compiler does: <c>file:line:col: error: message</c>, one line each.</summary>
internal static class DiagnosticPrinter
{
    public static async Task<int> RefusedAsync(CommandContext context, string file, NeedleApiException refusal)
    {
        if (refusal.Diagnostics.Count == 0)
        {
            throw refusal;
        }

        foreach (var diagnostic in refusal.Diagnostics)
        {
            await context.Error.WriteLineAsync(Format(file, diagnostic));
        }

        return ExitCodes.Refused;
    }

    // A manifest refusal has no position in the source: the file alone.
    public static string Format(string file, Diagnostic diagnostic) => diagnostic.Line > 0
        ? $"{file}:{diagnostic.Line}:{diagnostic.Column}: {diagnostic.Severity}: {diagnostic.Message}"
        : $"{file}: {diagnostic.Severity}: {diagnostic.Message}";
}
