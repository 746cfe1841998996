namespace Needle.Runtime.Downstream;

/// <summary>
/// <c>ctx.fetch</c> on the host side. The URL's host names a downstream service the host registered
/// (<c>http://catalog/items/1</c> reaches the service <c>catalog</c>); any other host is refused.
/// </summary>
internal interface IDownstreamClient
{
    /// <summary>
    /// Sends the request to the named service, with the invocation's remaining time as the timeout, and reads
    /// at most the version's fetch limit of the response. Throws <see cref="DownstreamException"/> with a message
    /// fit for the function (unregistered service, service not allowed by the manifest, timeout, too large, unreachable).
    /// </summary>
    Task<DownstreamResponse> FetchAsync(DownstreamRequest request, InvocationContext context);
}
