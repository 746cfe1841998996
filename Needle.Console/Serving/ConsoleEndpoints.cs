using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Needle.Console.Hosting;

namespace Needle.Console.Serving;

/// <summary>Serves the embedded single-page app under the prefix given to <c>MapNeedleConsole</c>.</summary>
internal static class ConsoleEndpoints
{
    // Scripts only from the console's own files (no inline script, no eval). CodeMirror adds style elements at run
    // time, hence inline styles. connect-src 'self': the console talks to the control plane and nothing else.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        var group = endpoints.MapGroup(prefix).AddEndpointFilter<ConsoleAccessFilter>();
        group.MapGet("/", ServeIndex).WithName("NeedleConsole").ExcludeFromDescription();
        group.MapGet("/{**path}", ServeFile).WithName("NeedleConsoleFile").ExcludeFromDescription();
        return group;
    }

    private static IResult ServeIndex(HttpContext http, ConsoleAssets assets, IOptions<NeedleConsoleOptions> options)
    {
        // The page's <base> and the API path depend on where the host mapped things, so index.html is written per request.
        var consoleBase = http.Request.PathBase.Add(StripFilePath(http));
        var html = Encoding.UTF8.GetString(assets.Index.Content)
            .Replace("<base href=\"./\" />", $"<base href=\"{HtmlEncoder.Default.Encode(consoleBase.Value + "/")}\" />", StringComparison.Ordinal)
            .Replace("content=\"/needle/api\"", $"content=\"{HtmlEncoder.Default.Encode(http.Request.PathBase.Add(options.Value.ApiPrefix).Value!)}\"", StringComparison.Ordinal);
        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static IResult ServeFile(string path, HttpContext http, ConsoleAssets assets, IOptions<NeedleConsoleOptions> options)
    {
        var asset = assets.Find(path);
        if (asset is null || path == ConsoleAssets.IndexPath)
        {
            // An unknown API path under the console prefix must stay a 404 (the console probes optional endpoints),
            // and so must a missing file; any other path is a page of the app: SPA fallback to index.html.
            var full = http.Request.Path.Value ?? "";
            var apiPrefix = options.Value.ApiPrefix;
            var underApi = full.Equals(apiPrefix, StringComparison.OrdinalIgnoreCase) || full.StartsWith(apiPrefix + "/", StringComparison.OrdinalIgnoreCase);
            return underApi || (asset is null && Path.HasExtension(path)) ? TypedResults.NotFound() : ServeIndex(http, assets, options);
        }

        var headers = http.Response.Headers;
        headers.CacheControl = asset.IsImmutable ? "public, max-age=31536000, immutable" : "no-cache";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers.Vary = HeaderNames.AcceptEncoding;
        if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        if (asset.Gzip is not null && AcceptsGzip(http.Request))
        {
            headers.ContentEncoding = "gzip";
            return TypedResults.Bytes(asset.Gzip, asset.ContentType);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    // For a deep link (/needle/fn/x) the console's base is still the prefix, not the requested path.
    private static PathString StripFilePath(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var captured = http.Request.RouteValues["path"] as string;
        var prefix = captured is { Length: > 0 } && path.EndsWith(captured, StringComparison.Ordinal) ? path[..^captured.Length] : path;
        return new PathString(prefix.TrimEnd('/'));
    }

    private static bool AcceptsGzip(HttpRequest request) =>
        request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
}
