namespace Needle.Runtime;

/// <summary>Thrown when a version cannot be deployed: its source does not parse or compile, or its manifest is invalid.</summary>
public sealed class FunctionValidationException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public FunctionValidationException(IReadOnlyList<FunctionDiagnostic> diagnostics)
        : base(diagnostics.Count == 0 ? "The function is invalid." : string.Join("; ", diagnostics))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Creates the exception from one problem.</summary>
    public FunctionValidationException(string message, int line = 0, int column = 0)
        : this([new FunctionDiagnostic(message, line, column)])
    {
    }

    /// <summary>The problems found.</summary>
    public IReadOnlyList<FunctionDiagnostic> Diagnostics { get; }
}
