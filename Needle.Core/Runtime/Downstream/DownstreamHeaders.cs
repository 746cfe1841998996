namespace Needle.Runtime.Downstream;

/// <summary>
/// What a function may put in the method and headers of a fetch, for both runtimes: a known method, header names
/// that are HTTP tokens, values without control characters, and none of the headers that steer the connection
/// rather than the request (<c>Host</c>, hop-by-hop and framing headers), which are the host's to set.
/// </summary>
internal static class DownstreamHeaders
{
    /// <summary>The most headers one fetch may send.</summary>
    public const int MaxCount = 100;

    /// <summary>The longest header value one fetch may send, in characters.</summary>
    public const int MaxValueLength = 8 * 1024;

    /// <summary>The methods a fetch may use (not <c>CONNECT</c>, which opens a tunnel, nor <c>TRACE</c>, which echoes headers).</summary>
    public static readonly IReadOnlySet<string> Methods = new HashSet<string>(StringComparer.Ordinal)
    {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
    };

    // Host routes the request; the others are hop-by-hop (RFC 9110 7.6.1) or frame the message, which the client does.
    private static readonly HashSet<string> Refused = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "TE", "Trailer", "Trailers", "Transfer-Encoding", "Upgrade",
        "Content-Length", "Expect", "HTTP2-Settings",
    };

    /// <summary>Throws <see cref="DownstreamException"/> when the method is not one of <see cref="Methods"/>.</summary>
    public static void CheckMethod(string method)
    {
        if (!Methods.Contains(method))
        {
            throw new DownstreamException($"fetch: method '{DownstreamUrl.Show(method)}' is not allowed; use one of {string.Join(", ", Methods)}.");
        }
    }

    /// <summary>Throws <see cref="DownstreamException"/> naming the first header a fetch may not send, and why.</summary>
    public static void Check(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        if (headers.Count > MaxCount)
        {
            throw new DownstreamException($"fetch: {headers.Count} headers is more than the {MaxCount} a fetch may send.");
        }

        foreach (var (name, value) in headers)
        {
            if (name.Length == 0 || !IsToken(name))
            {
                throw new DownstreamException($"fetch: header name '{DownstreamUrl.Show(name)}' is not a valid HTTP token (letters, digits and !#$%&'*+-.^_`|~).");
            }

            if (Refused.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase))
            {
                throw new DownstreamException($"fetch: header '{name}' may not be set by a function; the host sets Host, hop-by-hop and framing headers.");
            }

            if (value.Length > MaxValueLength)
            {
                throw new DownstreamException($"fetch: header '{name}' is longer than {MaxValueLength} characters.");
            }

            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if ((c < ' ' && c != '\t') || c >= '\u007f')
                {
                    var what = c switch
                    {
                        '\r' => "a CR",
                        '\n' => "an LF",
                        '\0' => "a NUL",
                        _ when c < ' ' || c == '\u007f' => "a control character",
                        _ => "a non-ASCII character",
                    };
                    throw new DownstreamException($"fetch: the value of header '{name}' holds {what} at position {i + 1}; header values may hold printable ASCII only.");
                }
            }
        }
    }

    private static bool IsToken(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!#$%&'*+-.^_`|~".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }
}
