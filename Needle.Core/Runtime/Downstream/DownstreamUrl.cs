using System.Globalization;
using System.Text;

namespace Needle.Runtime.Downstream;

/// <summary>
/// The one check of where a fetch goes, for <c>ctx.fetch</c> and <c>context.FetchAsync</c> alike: a function URL
/// (<c>http://catalog/items/1</c>) names a service by its host alone, and its path and query land under that
/// service's base address, never beside or above it.
/// </summary>
/// <remarks>
/// The path is checked as text before any <see cref="Uri"/> sees it, and refused rather than normalised: what a
/// downstream server (or a proxy in front of it) would decode differently from .NET is not sent at all.
/// </remarks>
internal static class DownstreamUrl
{
    /// <summary>The longest URL a function may fetch.</summary>
    public const int MaxLength = 8 * 1024;

    /// <summary>
    /// Splits a function URL into the service it names and the path and query to send (fragment dropped), or throws
    /// <see cref="DownstreamException"/> saying what is wrong. The service is not yet checked against the host's list.
    /// </summary>
    public static (string Service, string PathAndQuery) Parse(string url)
    {
        if (url.Length > MaxLength)
        {
            throw new DownstreamException($"fetch: the URL is longer than {MaxLength} characters.");
        }

        var schemeLength = url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7
            : url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8
            : 0;
        if (schemeLength == 0)
        {
            throw new DownstreamException($"fetch: '{Show(url)}' is not an absolute http(s) URL naming a service, such as 'http://catalog/items'.");
        }

        for (var i = 0; i < url.Length; i++)
        {
            var c = url[i];
            if (c <= ' ' || c >= '\u007f')
            {
                throw new DownstreamException($"fetch: '{Show(url)}' holds a space, control or non-ASCII character at position {i + 1}; percent-encode it.");
            }

            if (c == '\\')
            {
                throw new DownstreamException($"fetch: '{Show(url)}' holds a backslash; a fetch URL may not.");
            }
        }

        var authorityEnd = url.AsSpan(schemeLength).IndexOfAny('/', '?', '#');
        authorityEnd = authorityEnd < 0 ? url.Length : schemeLength + authorityEnd;
        var service = url[schemeLength..authorityEnd];
        if (service.Contains('@', StringComparison.Ordinal))
        {
            throw new DownstreamException($"fetch: '{Show(url)}' carries user info ('name@'); name the service alone, as in 'http://catalog/items'.");
        }

        if (service.Contains(':', StringComparison.Ordinal) || service.Contains('[', StringComparison.Ordinal))
        {
            throw new DownstreamException($"fetch: '{Show(url)}' gives a port or an address; name the service alone, as in 'http://catalog/items'. The host sets where it is.");
        }

        if (service.Length == 0)
        {
            throw new DownstreamException($"fetch: '{Show(url)}' names no service, as in 'http://catalog/items'.");
        }

        var rest = url.AsSpan(authorityEnd);
        var fragment = rest.IndexOf('#');
        if (fragment >= 0)
        {
            rest = rest[..fragment];
        }

        var queryStart = rest.IndexOf('?');
        var path = queryStart < 0 ? rest : rest[..queryStart];
        if (CheckPath(path) is { } problem)
        {
            throw Leaves(url, service, problem);
        }

        if (queryStart >= 0 && CheckEscapes(rest[queryStart..], forPath: false) is { } queryProblem)
        {
            throw Leaves(url, service, queryProblem);
        }

        return (service, rest.ToString());
    }

    /// <summary>The absolute URI of <paramref name="pathAndQuery"/> (as <see cref="Parse"/> returned it) under <paramref name="baseAddress"/>.</summary>
    public static Uri Combine(string url, string service, Uri baseAddress, string pathAndQuery)
    {
        // By text, not new Uri(base, relative): a relative part is never read as a URL of its own.
        var relative = pathAndQuery.StartsWith('/') ? pathAndQuery[1..] : pathAndQuery;
        if (!Uri.TryCreate(baseAddress.AbsoluteUri + relative, UriKind.Absolute, out var target) || !IsUnder(target, baseAddress))
        {
            throw Leaves(url, service, "it resolves outside the service's base address");
        }

        return target;
    }

    /// <summary>
    /// Whether <paramref name="target"/> is under <paramref name="baseAddress"/>: same scheme, host and port, no user
    /// info, a path below the base path with none of the forms <see cref="CheckPath"/> refuses.
    /// </summary>
    public static bool IsUnder(Uri target, Uri baseAddress) =>
        target.IsAbsoluteUri
        && string.Equals(target.Scheme, baseAddress.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(target.IdnHost, baseAddress.IdnHost, StringComparison.OrdinalIgnoreCase)
        && target.Port == baseAddress.Port
        && target.UserInfo.Length == 0
        && target.AbsolutePath.StartsWith(baseAddress.AbsolutePath, StringComparison.Ordinal)
        && target.AbsoluteUri.StartsWith(baseAddress.AbsoluteUri, StringComparison.Ordinal)
        && CheckPath(target.AbsolutePath) is null;

    /// <summary>The refusal of a URL that would leave its service.</summary>
    public static DownstreamException Leaves(string url, string service, string reason) =>
        new($"fetch: '{Show(url)}' leaves service '{service}': {reason}.");

    /// <summary>A URL or header as it may appear in a message: control characters escaped, at most 200 characters.</summary>
    public static string Show(string text)
    {
        var shown = text.Length > 200 ? string.Concat(text.AsSpan(0, 197), "...") : text;
        if (!shown.AsSpan().ContainsAnyInRange('\0', '\u001f') && !shown.Contains('\u007f', StringComparison.Ordinal))
        {
            return shown;
        }

        var builder = new StringBuilder(shown.Length + 16);
        foreach (var c in shown)
        {
            if (c < ' ' || c == '\u007f')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Why a path (as sent, still percent-encoded) could leave its base, or <see langword="null"/> when it cannot.</summary>
    private static string? CheckPath(ReadOnlySpan<char> path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        if (path[0] != '/')
        {
            return "its path does not start with '/'";
        }

        // Segments after the first '/': an empty one ('//') starts a scheme-relative URL, '.' and '..' climb.
        var segments = path[1..];
        while (true)
        {
            var end = segments.IndexOf('/');
            var segment = end < 0 ? segments : segments[..end];
            if (segment.Length == 0 && end >= 0)
            {
                return "its path holds an empty segment ('//')";
            }

            if (segment is "." or "..")
            {
                return "its path holds a dot segment ('.' or '..')";
            }

            if (end < 0)
            {
                break;
            }

            segments = segments[(end + 1)..];
        }

        return CheckEscapes(path, forPath: true);
    }

    /// <summary>Refuses malformed percent-escapes, and those that decode to a separator, a dot, '%' or a control character.</summary>
    private static string? CheckEscapes(ReadOnlySpan<char> text, bool forPath)
    {
        for (var i = text.IndexOf('%'); i >= 0; i = text.IndexOf('%'))
        {
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                return "it holds a '%' that is not followed by two hex digits";
            }

            var value = byte.Parse(text.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (value < 0x20 || value == 0x7f)
            {
                return $"it holds an encoded control character (%{value:X2})";
            }

            if (forPath && value is (byte)'.' or (byte)'/' or (byte)'\\' or (byte)'%')
            {
                return $"its path holds an encoded '{(char)value}' (%{value:X2}), which a server may decode into a path of its own";
            }

            text = text[(i + 3)..];
        }

        return null;
    }
}
