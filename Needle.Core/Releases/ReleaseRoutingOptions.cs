using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Needle.Releases;

/// <summary>How a request picks between a function's stable and canary versions. Part of <c>NeedleOptions.Releases</c>.</summary>
public sealed class ReleaseRoutingOptions
{
    /// <summary>
    /// The claim that identifies a signed-in user for stickiness: the same user keeps the same version while the
    /// weight does not change. Default: <see cref="ClaimTypes.NameIdentifier"/>. Set to <see langword="null"/> to ignore users.
    /// </summary>
    public string? StickinessClaimType { get; set; } = ClaimTypes.NameIdentifier;

    /// <summary>A header that carries the stickiness key when there is no user claim. Default: <c>Needle-User</c>.</summary>
    public string? StickinessHeaderName { get; set; } = "Needle-User";

    /// <summary>A cookie that carries the stickiness key when there is neither claim nor header. Default: none.</summary>
    public string? StickinessCookieName { get; set; }

    /// <summary>
    /// A request header that pins a request to a version: a number (<c>3</c>), a label (<c>hello@3</c>), <c>canary</c>
    /// or <c>stable</c>. Honoured only when <see cref="AllowPin"/> admits the caller and the version is loaded
    /// (stable, canary or a warm standby). Default: <c>Needle-Pin</c>.
    /// </summary>
    public string? PinHeaderName { get; set; } = "Needle-Pin";

    /// <summary>
    /// Which callers may pin with <see cref="PinHeaderName"/>. Default: local requests only (testers on the host
    /// itself), judged by the same rule as the control plane (<see cref="Access.LocalRequestRule"/>).
    /// </summary>
    public Func<HttpContext, bool> AllowPin { get; set; } = Access.LocalRequestRule.IsLocalRequest;

    /// <summary>The response header that says whether the stable or the canary version (or a pinned one) served. Default: <c>Needle-Release</c>.</summary>
    public string ReleaseHeaderName { get; set; } = "Needle-Release";

    /// <summary>How many earlier stable versions per function stay loaded, so a rollback is one swap. Default: 1.</summary>
    public int WarmVersions { get; set; } = 1;
}
