using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Needle.Hosting;

namespace Needle.Access;

/// <summary>
/// The one rule that says whether a request comes from this machine, used by the control-plane API, the console and
/// pin-header admission. A request is local only if all of these hold:
/// <list type="bullet">
/// <item><b>connection</b>: its remote address is a loopback address (a missing address is local only when
/// <see cref="LocalAccessOptions.NullRemoteAddressIsLocal"/> says so);</item>
/// <item><b>host</b>: its <c>Host</c> is <c>localhost</c>, a loopback address or a name in
/// <see cref="LocalAccessOptions.LoopbackHostNames"/>, so a page on a rebinding name (<c>rebind.example</c> resolving
/// to 127.0.0.1) is not local even though its browser connects from loopback;</item>
/// <item><b>forwarded</b>: it carries no forwarding header (<c>X-Forwarded-*</c>, <c>Forwarded</c>, <c>X-Real-IP</c>,
/// <c>Via</c> ...), so a proxy on the same machine does not make remote callers local.</item>
/// </list>
/// </summary>
public sealed class LocalRequestRule
{
    /// <summary>Headers that proxies add (and the ones ASP.NET's forwarded-headers middleware leaves after applying them).</summary>
    public static IReadOnlyList<string> ForwardingHeaders { get; } =
    [
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix",
        "X-Forwarded-Server", "X-Real-IP", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP", "Fastly-Client-IP",
        "X-Cluster-Client-IP", "X-Original-For", "X-Original-Host", "X-Original-Proto", "X-Original-Prefix", "Via",
    ];

    private readonly HashSet<string> _hostNames;
    private readonly bool _nullRemoteIsLocal;

    /// <summary>Creates the rule from <see cref="NeedleOptions.LocalAccess"/>.</summary>
    public LocalRequestRule(IOptions<NeedleOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var access = options.Value.LocalAccess;
        _nullRemoteIsLocal = access.NullRemoteAddressIsLocal;
        _hostNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost" };
        foreach (var name in access.LoopbackHostNames)
        {
            _hostNames.Add(name.Trim());
        }
    }

    /// <summary>Whether the request is local (<see cref="Check"/> finds nothing).</summary>
    public bool IsLocal(HttpContext http) => Check(http) is null;

    /// <summary>Returns <see langword="null"/> when the request is local, else the first rule it breaks.</summary>
    public LocalRequestRefusal? Check(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var remote = http.Connection.RemoteIpAddress;
        if (remote is null)
        {
            if (!_nullRemoteIsLocal)
            {
                return new("connection", "the connection has no remote address (a Unix socket, a named pipe or TestServer), which counts as local only when LocalAccess.NullRemoteAddressIsLocal is set");
            }
        }
        else if (!IPAddress.IsLoopback(remote))
        {
            return new("connection", $"the connection comes from {remote}, not from a loopback address");
        }

        var host = http.Request.Host;
        if (!IsLoopbackName(host))
        {
            return new("host", host.HasValue
                ? $"its Host '{host.Value}' is not a loopback name (localhost, 127.0.0.1, [::1] or LocalAccess.LoopbackHostNames)"
                : "it has no Host header");
        }

        var headers = http.Request.Headers;
        foreach (var name in ForwardingHeaders)
        {
            if (headers.ContainsKey(name))
            {
                return new("forwarded", $"it carries the forwarding header '{name}', so it came through a proxy");
            }
        }

        return null;
    }

    /// <summary>
    /// The default of <c>Releases.AllowPin</c>: the rule registered by <c>AddNeedle</c>, applied to the request
    /// (refused when Needle is not registered).
    /// </summary>
    public static bool IsLocalRequest(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.RequestServices?.GetService<LocalRequestRule>()?.IsLocal(http) ?? false;
    }

    private bool IsLoopbackName(HostString host)
    {
        if (!host.HasValue)
        {
            return false;
        }

        // HostString.Host drops the port and keeps IPv6 brackets.
        var name = host.Host;
        if (_hostNames.Contains(name))
        {
            return true;
        }

        var literal = name.StartsWith('[') && name.EndsWith(']') ? name[1..^1] : name;
        return IPAddress.TryParse(literal, out var address) && IPAddress.IsLoopback(address)
            && (name.Contains(':', StringComparison.Ordinal) || IsDottedQuad(literal));
    }

    // IPAddress.TryParse takes "127.1" and "2130706433"; browsers do too, but a loopback name is written out in full.
    private static bool IsDottedQuad(string text) => text.Count(c => c == '.') == 3;
}
