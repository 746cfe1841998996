using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Telemetry;

namespace Needle.Runtime.Downstream;

/// <summary>
/// <c>ctx.fetch</c> and <c>context.FetchAsync</c>, backed by <see cref="IHttpClientFactory"/>: the URL's host is the
/// name of a service the host registered with <c>AddDownstream</c>, the manifest must list it, and the request stays
/// under the service's base address (<see cref="DownstreamUrl"/>) with the headers <see cref="DownstreamHeaders"/> allows.
/// </summary>
internal sealed class DownstreamClient : IDownstreamClient
{
    /// <summary>The prefix of the named <see cref="HttpClient"/> registered for each downstream service.</summary>
    public const string ClientNamePrefix = "needle-downstream:";

    /// <summary>The most redirects one fetch follows (each under the service's base address).</summary>
    public const int MaxRedirects = 5;

    private readonly IHttpClientFactory _clients;
    private readonly NeedleOptions _options;

    public DownstreamClient(IHttpClientFactory clients, IOptions<NeedleOptions> options)
    {
        _clients = clients;
        _options = options.Value;
    }

    public async Task<DownstreamResponse> FetchAsync(DownstreamRequest request, InvocationContext context)
    {
        var (named, pathAndQuery) = DownstreamUrl.Parse(request.Url);
        if (!TryGetService(named, out var service))
        {
            throw new DownstreamException($"fetch: '{DownstreamUrl.Show(named)}' is not a downstream service registered by the host.");
        }

        var allowed = context.Version.Manifest.Services;
        if (allowed is null || !allowed.Contains(service, StringComparer.OrdinalIgnoreCase))
        {
            throw new DownstreamException($"fetch: function '{context.Version.Name}' may not call '{service}'; list it in the manifest's services.");
        }

        DownstreamHeaders.CheckMethod(request.Method);
        DownstreamHeaders.Check(request.Headers);
        MediaTypeHeaderValue? contentType = null;
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase) && !MediaTypeHeaderValue.TryParse(value, out contentType))
            {
                throw new DownstreamException($"fetch: content-type '{value}' is not a valid media type.");
            }
        }

        var client = _clients.CreateClient(ClientNamePrefix + service);
        if (client.BaseAddress is not { IsAbsoluteUri: true } baseAddress)
        {
            throw new DownstreamException($"fetch: service '{service}' has no base address.");
        }

        var url = DownstreamUrl.Combine(request.Url, service, baseAddress, pathAndQuery);
        // The loaded version's limits, resolved once when it loaded.
        var limits = context.Limits;
        var remaining = context.Remaining;
        if (remaining <= TimeSpan.Zero)
        {
            throw new DownstreamException("fetch: the invocation has no time left.");
        }

        if (!context.TryStartFetch(limits.MaxFetchesInFlight, out var ended))
        {
            throw new DownstreamException(ended
                ? "fetch: the invocation has ended; a fetch cannot outlive it."
                : $"fetch: {limits.MaxFetchesInFlight} fetches are already in flight in this invocation (limits.maxFetchesInFlight); await some first.");
        }

        // The token fires at the invocation's deadline (so it carries the remaining time as the timeout), when the
        // caller goes away, and when the invocation ends with this fetch still in flight.
        // A child span of the invocation; HttpClient sends its W3C trace context to the service while it is current.
        var cancellation = context.FetchCancellationToken;
        using var activity = NeedleActivities.StartFetch(service, request.Method, url);
        try
        {
            using var response = await SendAsync(client, request, contentType, url, baseAddress, service, cancellation).ConfigureAwait(false);
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            var limit = limits.MaxFetchResponseBytes;
            if (response.Content.Headers.ContentLength > limit)
            {
                throw new DownstreamException($"fetch: the response of '{service}' is larger than the limit of {limit / 1024} KB.");
            }

            var (bytes, length) = await ReadLimitedAsync(response.Content, limit, service, cancellation).ConfigureAwait(false);
            var headers = new List<KeyValuePair<string, string>>();
            AddHeaders(headers, response.Headers);
            AddHeaders(headers, response.Content.Headers);
            var status = (int)response.StatusCode;

            // UTF-8 (said, or the default) stays bytes until something reads it as text; JSON is parsed from them.
            return response.Content.Headers.ContentType?.CharSet is { } charset && GetEncoding(charset) is var encoding && encoding.CodePage != Encoding.UTF8.CodePage
                ? new DownstreamResponse(status, headers, encoding.GetString(bytes, 0, length))
                : new DownstreamResponse(status, headers, bytes, length);
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
        finally
        {
            context.EndFetch();
        }
    }

    /// <summary>
    /// Sends the request, following redirects itself (the clients' handlers have theirs turned off by
    /// <see cref="DownstreamRedirectFilter"/>) only while each hop stays under the service's base address.
    /// </summary>
    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client,
        DownstreamRequest request,
        MediaTypeHeaderValue? contentType,
        Uri url,
        Uri baseAddress,
        string service,
        CancellationToken cancellationToken)
    {
        // Parse hands out the shared instances of the common methods, which the handler recognises without a lookup.
        var method = HttpMethod.Parse(request.Method);
        var body = request.Body;
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(method, url);
            foreach (var (name, value) in request.Headers)
            {
                if (!name.Equals("content-type", StringComparison.OrdinalIgnoreCase) && !message.Headers.TryAddWithoutValidation(name, value))
                {
                    throw new DownstreamException($"fetch: header '{name}' cannot be set on a request.");
                }
            }

            if (body is not null)
            {
                message.Content = new StringContent(body, Encoding.UTF8);
                message.Content.Headers.ContentType = contentType ?? new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
            }

            var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);

            // A handler the filter could not reach may still have followed redirects: judge where the answer came from.
            if (response.RequestMessage?.RequestUri is { } answered && !DownstreamUrl.IsUnder(answered, baseAddress))
            {
                response.Dispose();
                throw new DownstreamException($"fetch: the request to '{service}' was redirected to '{DownstreamUrl.Show(answered.AbsoluteUri)}', which leaves service '{service}'.");
            }

            if (!IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
            {
                return response;
            }

            response.Dispose();
            if (!Uri.TryCreate(url, location, out var next) || !DownstreamUrl.IsUnder(next, baseAddress))
            {
                throw new DownstreamException($"fetch: '{service}' redirected to '{DownstreamUrl.Show(location.OriginalString)}', which leaves service '{service}'.");
            }

            if (hop + 1 >= MaxRedirects)
            {
                throw new DownstreamException($"fetch: '{service}' redirected more than {MaxRedirects} times.");
            }

            // As browsers do: 303 (and 301/302 after a POST) continue as a GET without the body; 307/308 resend as is.
            if (response.StatusCode == HttpStatusCode.SeeOther ? method != HttpMethod.Head : method == HttpMethod.Post && response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found)
            {
                method = HttpMethod.Get;
                body = null;
            }

            url = next;
        }
    }

    /// <summary>The registered spelling of a service name (client names are case-sensitive, URL hosts are not).</summary>
    private bool TryGetService(string named, out string service)
    {
        var registered = _options.DownstreamServices;
        if (registered is HashSet<string> set)
        {
            return set.TryGetValue(named, out service!);
        }

        service = registered.FirstOrDefault(s => s.Equals(named, StringComparison.OrdinalIgnoreCase))!;
        return service is not null;
    }

    /// <summary>Copies headers as lower-case names, a repeated header's values joined with commas.</summary>
    private static void AddHeaders(List<KeyValuePair<string, string>> headers, HttpHeaders source)
    {
        // NonValidated: the values as received, with no parsing into typed header values and back.
        foreach (var (name, values) in source.NonValidated)
        {
            headers.Add(new(name.ToLowerInvariant(), values.ToString()));
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static async Task<(byte[] Bytes, int Length)> ReadLimitedAsync(HttpContent content, long limit, string service, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            // Sized by the announced length when there is one (within the limit): no regrowth for the common answer.
            using var collected = new MemoryStream(content.Headers.ContentLength is { } length && length <= limit ? (int)length : 0);
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (collected.Length + read > limit)
                {
                    throw new DownstreamException($"fetch: the response of '{service}' is larger than the limit of {limit / 1024} KB.");
                }

                collected.Write(buffer, 0, read);
            }

            // The stream's own array (exactly the announced length, when there was one); disposing the stream keeps it.
            return (collected.GetBuffer(), (int)collected.Length);
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
