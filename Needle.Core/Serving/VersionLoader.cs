using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Runtime;

namespace Needle.Serving;

/// <summary>
/// Loads a version with the limits it runs with: the manifest's values over the host defaults, capped at the host
/// maximums (<see cref="NeedleOptions.DefaultLimits"/>, <see cref="NeedleOptions.MaxLimits"/>). The one place that
/// resolves them, for deploys, release moves, the reconciler and patch checks alike; the loaded version carries them
/// (<see cref="ILoadedFunction.Limits"/>), so nothing resolves them again per request or per fetch.
/// </summary>
internal sealed class VersionLoader
{
    private readonly RuntimeRegistry _runtimes;
    private readonly NeedleOptions _options;

    public VersionLoader(RuntimeRegistry runtimes, IOptions<NeedleOptions> options)
    {
        _runtimes = runtimes;
        _options = options.Value;
    }

    /// <summary>Prepares <paramref name="version"/> in its runtime with its resolved limits.</summary>
    /// <exception cref="FunctionValidationException">The version cannot serve (with line and column where known).</exception>
    public Task<ILoadedFunction> LoadAsync(FunctionVersion version, CancellationToken cancellationToken) =>
        _runtimes.Get(version.Runtime).LoadAsync(version, ResolvedLimits.Resolve(version.Manifest.Limits, _options), cancellationToken);
}
