using Needle.Runtime;
using Needle.Runtime.Downstream;

namespace Needle.Quality;

/// <summary>
/// <c>ctx.fetch</c> and <c>context.FetchAsync</c> during a test case: both runtimes reach downstream services through
/// <see cref="IDownstreamClient"/> only, so a case swaps this in. A fetch matching a stub (method and URL) gets its
/// answer; any other fails with a message naming it, unless the case is live, when it goes to the real service.
/// </summary>
internal sealed class StubDownstreamClient : IDownstreamClient
{
    private readonly TestCase _case;
    private readonly IDownstreamClient? _live;
    private readonly List<string> _unstubbed = [];

    public StubDownstreamClient(TestCase testCase, IDownstreamClient? live)
    {
        _case = testCase;
        _live = testCase.Live ? live : null;
    }

    /// <summary>The fetches no stub answered (<c>GET http://users/1</c>) while the case was not live.</summary>
    public IReadOnlyList<string> Unstubbed
    {
        get
        {
            lock (_unstubbed)
            {
                return [.. _unstubbed];
            }
        }
    }

    public Task<DownstreamResponse> FetchAsync(DownstreamRequest request, InvocationContext context)
    {
        var method = request.Method.ToUpperInvariant();
        foreach (var stub in _case.Fetch)
        {
            if (stub.Method == method && string.Equals(stub.Url, request.Url, StringComparison.Ordinal))
            {
                return Task.FromResult(new DownstreamResponse(stub.Status, stub.Headers, stub.Body));
            }
        }

        if (_live is not null)
        {
            return _live.FetchAsync(request, context);
        }

        var call = $"{method} {request.Url}";
        lock (_unstubbed)
        {
            _unstubbed.Add(call);
        }

        throw new DownstreamException($"fetch: {call} has no stub in test case '{_case.Name}'; add one to its fetch list or set \"live\": true.");
    }
}
