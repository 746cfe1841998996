using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Needle.Hosting;

namespace Needle.Rollback.Guard;

/// <summary>
/// Feeds <see cref="RequestHealthSource"/>: after each request, when the function endpoint wrote its version header
/// (<c>orders@3</c>), counts the response for that version. Kill-switch answers are not a version's doing and are skipped.
/// </summary>
internal sealed class RequestHealthMiddleware(RequestDelegate next, RequestHealthSource source, TimeProvider time, IOptions<NeedleOptions> options)
{
    private readonly string _versionHeader = options.Value.VersionHeaderName;
    private readonly string _releaseHeader = options.Value.Releases.ReleaseHeaderName;

    public async Task InvokeAsync(HttpContext http)
    {
        var started = time.GetTimestamp();
        var failed = true;
        try
        {
            await next(http);
            failed = http.Response.StatusCode >= StatusCodes.Status500InternalServerError;
        }
        finally
        {
            var headers = http.Response.Headers;
            if (headers.TryGetValue(_versionHeader, out var label)
                && !string.Equals(headers[_releaseHeader], "killed", StringComparison.Ordinal)
                && TryParse(label.ToString(), out var function, out var version))
            {
                source.Record(function, version, failed, time.GetElapsedTime(started));
            }
        }
    }

    private static bool TryParse(string label, out string function, out int version)
    {
        var at = label.LastIndexOf('@');
        function = at > 0 ? label[..at] : "";
        version = 0;
        return at > 0 && int.TryParse(label.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out version);
    }
}
