using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Needle.Hosting;
using Needle.Releases;
using Needle.Serving;

namespace Needle.Routing;

/// <summary>
/// Picks the version a request runs on, on the hot path and without store access: a pin header from an allowed
/// caller first, then the release's pinned users, then the user's sticky bucket against the canary weight, else
/// stable. A request without a stickiness key draws a random bucket.
/// </summary>
internal sealed class ReleaseRouter
{
    private readonly ReleaseRoutingOptions _options;

    public ReleaseRouter(IOptions<NeedleOptions> options)
    {
        _options = options.Value.Releases;
    }

    public (ServedVersion Version, ReleaseRole Role) Choose(HttpContext http, ServedRelease entry)
    {
        if (_options.PinHeaderName is { } pinHeader
            && http.Request.Headers.TryGetValue(pinHeader, out var pin)
            && TryPin(entry, pin.ToString(), out var pinned)
            && _options.AllowPin(http))
        {
            return (pinned, ReleaseRole.Pinned);
        }

        var canary = entry.Canary;
        if (canary is null)
        {
            return (entry.Stable, ReleaseRole.Stable);
        }

        var key = StickinessKey(http);
        if (key is not null && entry.PinnedUsers.Contains(key))
        {
            return (canary, ReleaseRole.Canary);
        }

        var bucket = key is null ? Random.Shared.Next(StickyHash.Buckets) : StickyHash.Bucket(entry.Release.Function, key);
        return bucket < entry.CanaryThreshold ? (canary, ReleaseRole.Canary) : (entry.Stable, ReleaseRole.Stable);
    }

    internal string? StickinessKey(HttpContext http)
    {
        if (_options.StickinessClaimType is { } claimType
            && http.User.Identity?.IsAuthenticated == true
            && http.User.FindFirst(claimType)?.Value is { Length: > 0 } claim)
        {
            return claim;
        }

        if (_options.StickinessHeaderName is { } header
            && http.Request.Headers.TryGetValue(header, out var value)
            && value.Count > 0
            && !string.IsNullOrEmpty(value[0]))
        {
            return value[0];
        }

        if (_options.StickinessCookieName is { } cookie
            && http.Request.Cookies.TryGetValue(cookie, out var cookieValue)
            && !string.IsNullOrEmpty(cookieValue))
        {
            return cookieValue;
        }

        return null;
    }

    private static bool TryPin(ServedRelease entry, string pin, out ServedVersion version)
    {
        if (pin.Equals("canary", StringComparison.OrdinalIgnoreCase) && entry.Canary is { } canary)
        {
            version = canary;
            return true;
        }

        if (pin.Equals("stable", StringComparison.OrdinalIgnoreCase))
        {
            version = entry.Stable;
            return true;
        }

        var at = pin.IndexOf('@', StringComparison.Ordinal);
        var number = at >= 0 && pin.AsSpan(0, at).SequenceEqual(entry.Release.Function) ? pin.AsSpan(at + 1) : pin.AsSpan();
        if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && entry.Loaded.TryGetValue(n, out var found))
        {
            version = found;
            return true;
        }

        version = null!;
        return false;
    }
}
