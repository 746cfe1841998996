namespace Needle.Access;

/// <summary>
/// What counts as a local caller for the control-plane API, the console and pin headers. Part of
/// <c>NeedleOptions.LocalAccess</c>. A request is local only if its connection is loopback, its <c>Host</c> is a
/// loopback name and it carries no forwarding header; see <see cref="LocalRequestRule"/>.
/// </summary>
public sealed class LocalAccessOptions
{
    /// <summary>
    /// More <c>Host</c> names (without port) that count as loopback names, beside <c>localhost</c> and the loopback
    /// addresses (<c>127.0.0.1</c>, <c>[::1]</c>). List only names that resolve to this machine for every client that
    /// can reach it; a name an attacker controls in DNS reopens DNS rebinding. Default: none.
    /// </summary>
    public IList<string> LoopbackHostNames { get; } = [];

    /// <summary>
    /// Whether a request without a remote address counts as local. Requests over a Unix socket or a named pipe,
    /// and those of <c>TestServer</c> (<c>WebApplicationFactory</c> without Kestrel), have none; a proxy in front of a
    /// Unix socket makes every remote caller look like one. Default: <see langword="false"/>.
    /// </summary>
    public bool NullRemoteAddressIsLocal { get; set; }
}
