using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Telemetry;

namespace Needle.Runtime.Downstream;

/// <summary>
/// <c>ctx.fetch</c> backed by <see cref="IHttpClientFactory"/>: the URL's host is the name of a service the host
/// registered with <c>AddDownstream</c>, and the manifest must list it.
/// </summary>
internal sealed class DownstreamClient : IDownstreamClient
{
    /// <summary>The prefix of the named <see cref="HttpClient"/> registered for each downstream service.</summary>
    public const string ClientNamePrefix = "needle-downstream:";

    private readonly IHttpClientFactory _clients;
    private readonly NeedleOptions _options;

    public DownstreamClient(IHttpClientFactory clients, IOptions<NeedleOptions> options)
    {
        _clients = clients;
        _options = options.Value;
    }

    public async Task<DownstreamResponse> FetchAsync(DownstreamRequest request, InvocationContext context)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new DownstreamException($"fetch: '{request.Url}' is not an absolute http(s) URL naming a service, such as 'http://catalog/items'.");
        }

        var service = url.Host;
        if (!_options.DownstreamServices.Contains(service))
        {
            throw new DownstreamException($"fetch: '{service}' is not a downstream service registered by the host.");
        }

        var allowed = context.Version.Manifest.Services;
        if (allowed is null || !allowed.Contains(service, StringComparer.OrdinalIgnoreCase))
        {
            throw new DownstreamException($"fetch: function '{context.Version.Function}' may not call '{service}'; list it in the manifest's services.");
        }

        var remaining = context.Remaining;
        if (remaining <= TimeSpan.Zero)
        {
            throw new DownstreamException("fetch: the invocation has no time left.");
        }

        var client = _clients.CreateClient(ClientNamePrefix + service);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), url.PathAndQuery.TrimStart('/'));
        string? contentType = null;
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                throw new DownstreamException($"fetch: header '{name}' cannot be set on a request.");
            }
        }

        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "text/plain; charset=utf-8");
        }

        // The invocation's token fires at its deadline, so it already carries the remaining time as the timeout.
        // A child span of the invocation; HttpClient sends its W3C trace context to the service while it is current.
        var cancellation = context.CancellationToken;
        using var activity = NeedleActivities.StartFetch(service, message.Method.Method, url);
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            var limit = ResolvedLimits.Resolve(context.Version.Manifest.Limits, _options.DefaultLimits).MaxFetchResponseBytes;
            if (response.Content.Headers.ContentLength > limit)
            {
                throw new DownstreamException($"fetch: the response of '{service}' is larger than the limit of {limit / 1024} KB.");
            }

            var body = await ReadLimitedAsync(response.Content, limit, service, cancellation).ConfigureAwait(false);
            var headers = new List<KeyValuePair<string, string>>();
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                headers.Add(new(header.Key.ToLowerInvariant(), string.Join(", ", header.Value)));
            }

            return new DownstreamResponse((int)response.StatusCode, headers, body);
        }
        catch (DownstreamException ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            throw;
        }
        catch (OperationCanceledException ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "timeout");
            throw new DownstreamException($"fetch: '{service}' did not answer within the invocation's remaining {remaining.TotalMilliseconds:0} ms.", ex);
        }
        catch (HttpRequestException ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.HttpRequestError.ToString());
            throw new DownstreamException($"fetch: '{service}' could not be reached ({ex.HttpRequestError}).", ex);
        }
    }

    private static async Task<string> ReadLimitedAsync(HttpContent content, long limit, string service, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var collected = new MemoryStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (collected.Length + read > limit)
                {
                    throw new DownstreamException($"fetch: the response of '{service}' is larger than the limit of {limit / 1024} KB.");
                }

                collected.Write(buffer, 0, read);
            }

            var charset = content.Headers.ContentType?.CharSet;
            var encoding = charset is null ? Encoding.UTF8 : GetEncoding(charset);
            return encoding.GetString(collected.GetBuffer(), 0, (int)collected.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Encoding GetEncoding(string charset)
    {
        try
        {
            return Encoding.GetEncoding(charset.Trim('"'));
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }
}
