using System.Globalization;
using Needle.Hosting;

namespace Needle.Runtime;

/// <summary>
/// What a function (either runtime) or a kill-switch fallback may answer. One rule for all of them, so a header that
/// one path refuses no other path lets through:
/// <list type="bullet">
/// <item>the status is 200 to 599 (1xx are the server's, not a response's);</item>
/// <item>header names are HTTP tokens and values hold no CR, LF or NUL;</item>
/// <item>no header Needle owns: the configured version and release headers and any name starting with <c>Needle-</c>
/// (the guard and the console read them);</item>
/// <item>no framing or hop-by-hop header (<c>Content-Length</c>, <c>Transfer-Encoding</c>, <c>Connection</c>,
/// <c>Keep-Alive</c>, <c>Upgrade</c>, <c>TE</c>, <c>Trailer</c>, <c>Proxy-*</c>): the server frames the response;</item>
/// <item>no <c>Content-Security-Policy</c> while the function is sandboxed (it would weaken the sandbox).</item>
/// </list>
/// A response that breaks a rule is refused whole (500 naming the header, logged), never sent with the header
/// dropped: a silently missing header is a bug nobody sees.
/// </summary>
internal static class ResponseRules
{
    /// <summary>The prefix of the header names Needle owns.</summary>
    public const string ReservedPrefix = "Needle-";

    /// <summary>The lowest and highest status a response may have.</summary>
    public const int MinStatus = 200;

    /// <inheritdoc cref="MinStatus"/>
    public const int MaxStatus = 599;

    /// <summary>Checks a function's response; throws an <see cref="InvocationFailure.InvalidResponse"/> failure naming the first problem.</summary>
    public static void Check(FunctionResponse response, NeedleOptions options, bool sandboxed)
    {
        if (CheckStatus(response.StatusCode) is { } statusProblem)
        {
            throw Invalid(statusProblem);
        }

        var headers = response.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            if (CheckHeader(name, value, options, sandboxed) is { } problem)
            {
                throw Invalid(problem);
            }
        }
    }

    /// <summary>Returns why the status cannot be sent, or <see langword="null"/>.</summary>
    public static string? CheckStatus(int status) =>
        status is < MinStatus or > MaxStatus
            ? string.Create(CultureInfo.InvariantCulture, $"The response status must be an integer from {MinStatus} to {MaxStatus}, not {status}.")
            : null;

    /// <summary>Returns why the header cannot be sent, or <see langword="null"/>.</summary>
    public static string? CheckHeader(string? name, string? value, NeedleOptions options, bool sandboxed)
    {
        if (string.IsNullOrEmpty(name) || !IsToken(name))
        {
            return $"'{Printable(name)}' is not a valid header name.";
        }

        if (value is null || value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            return $"The value of header '{name}' is missing or contains CR, LF or NUL.";
        }

        if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase)
            || name.Equals(options.VersionHeaderName, StringComparison.OrdinalIgnoreCase)
            || name.Equals(options.Releases.ReleaseHeaderName, StringComparison.OrdinalIgnoreCase))
        {
            return $"The header '{name}' is Needle's (the version and release headers and every 'Needle-*' name); a function cannot set it.";
        }

        if (IsFraming(name))
        {
            return $"The header '{name}' is a framing or hop-by-hop header; the server sets it, a function cannot.";
        }

        if (sandboxed && name.Equals("Content-Security-Policy", StringComparison.OrdinalIgnoreCase))
        {
            return $"The header '{name}' would replace the sandbox policy Needle sends; set \"sandbox\": false in the manifest to send your own.";
        }

        return null;
    }

    private static bool IsFraming(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)
        || name.Equals("TE", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Trailer", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);

    private static bool IsToken(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    // A refused name goes into a problem detail and a log line: never let it carry a line break there.
    private static string Printable(string? name) =>
        name is null ? "" : string.Concat(name.Take(100).Select(c => char.IsControl(c) ? '?' : c));

    private static FunctionInvocationException Invalid(string message) => new(InvocationFailure.InvalidResponse, message);
}
