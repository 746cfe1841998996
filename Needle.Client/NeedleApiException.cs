using System.Net;

namespace Needle.Client;

/// <summary>The control plane refused a call: its status and the problem details it answered with.</summary>
public sealed class NeedleApiException : Exception
{
    /// <summary>Creates the exception from a problem-details answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="title">The problem's title, for example <c>Invalid function</c>.</param>
    /// <param name="detail">The problem's detail, or the body when it was not problem details.</param>
    /// <param name="diagnostics">Parse or compile diagnostics, when the source was refused.</param>
    public NeedleApiException(HttpStatusCode status, string title, string? detail, IReadOnlyList<Diagnostic> diagnostics)
        : base(detail is null ? $"{(int)status} {title}" : $"{(int)status} {title}: {detail}")
    {
        Status = status;
        Title = title;
        Detail = detail;
        Diagnostics = diagnostics;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem's title.</summary>
    public string Title { get; }

    /// <summary>The problem's detail.</summary>
    public string? Detail { get; }

    /// <summary>Diagnostics with line and column (empty unless a source was refused).</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>True for a refusal by the server (4xx); false for a server error (5xx).</summary>
    public bool IsRefusal => (int)Status is >= 400 and < 500;
}
