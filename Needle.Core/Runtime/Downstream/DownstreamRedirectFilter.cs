using Microsoft.Extensions.Http;

namespace Needle.Runtime.Downstream;

/// <summary>
/// Turns off automatic redirects on every downstream client's primary handler, whatever the host configured:
/// <see cref="DownstreamClient"/> follows redirects itself, one hop at a time, and only under the service's base.
/// </summary>
/// <remarks>
/// A filter rather than a handler action: filters wrap the whole build, so this runs after every configuration
/// action, those of <c>ConfigureHttpClientDefaults</c> and of the host's own <c>configureClient</c> included.
/// </remarks>
internal sealed class DownstreamRedirectFilter : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        if (builder.Name?.StartsWith(DownstreamClient.ClientNamePrefix, StringComparison.Ordinal) != true)
        {
            return;
        }

        switch (builder.PrimaryHandler)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler handler:
                handler.AllowAutoRedirect = false;
                break;
            default:
                // Another handler type: DownstreamClient still refuses a response whose final URI left the base.
                break;
        }
    };
}
