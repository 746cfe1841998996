using Needle.Runtime;
using Needle.Runtime.Downstream;

namespace Needle.Tests.Runtime.JavaScript;

/// <summary>A downstream double: answers every request with <see cref="Respond"/> after <see cref="Delay"/>.</summary>
internal sealed class TestDownstreamClient : IDownstreamClient
{
    private int _calls;

    private int _inFlight;
    private int _maxInFlight;

    public TimeSpan Delay { get; init; }

    /// <summary>When set, each request waits a random 0 to this many milliseconds instead of <see cref="Delay"/>.</summary>
    public int MaxRandomDelayMs { get; init; }

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public Func<DownstreamRequest, DownstreamResponse> Respond { get; init; } =
        _ => new DownstreamResponse(200, [new("Content-Type", "application/json")], """{"ok":true}""");

    public List<DownstreamRequest> Requests { get; } = [];

    public int Calls => Volatile.Read(ref _calls);

    public async Task<DownstreamResponse> FetchAsync(DownstreamRequest request, InvocationContext context)
    {
        Interlocked.Increment(ref _calls);
        lock (Requests)
        {
            Requests.Add(request);
        }

        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            int seen;
            while (inFlight > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
            {
            }

            var delay = MaxRandomDelayMs > 0 ? TimeSpan.FromMilliseconds(Random.Shared.Next(MaxRandomDelayMs + 1)) : Delay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.CancellationToken);
            }
            else
            {
                await Task.Yield();
            }

            return Respond(request);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
