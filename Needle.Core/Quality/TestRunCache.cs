using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Needle.Hosting;

namespace Needle.Quality;

/// <summary>
/// Passing runs by content hash (source, manifest and cases), so a version whose content passed before is not run
/// again (a redeploy, a promote of the canary that passed when it went in). Only passing runs without live cases are
/// kept: a failure may be the machine's moment (a timeout, <c>maxMs</c>) and is always run again. Memory only, per node.
/// </summary>
internal sealed class TestRunCache
{
    private readonly ConcurrentDictionary<string, TestRunResponse> _passed = new(StringComparer.Ordinal);
    private readonly int _capacity;

    public TestRunCache(IOptions<NeedleOptions> options)
    {
        _capacity = options.Value.Quality.CachedResults;
    }

    public bool TryGet(string contentHash, out TestRunResponse run) => _passed.TryGetValue(contentHash, out run!);

    public void Add(string contentHash, TestRunResponse run)
    {
        if (_capacity == 0 || !run.Passed)
        {
            return;
        }

        if (_passed.Count >= _capacity)
        {
            // Crude but bounded: the cost of forgetting is one more run of each version's cases.
            _passed.Clear();
        }

        _passed[contentHash] = run;
    }
}
