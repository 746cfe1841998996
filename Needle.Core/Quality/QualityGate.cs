using Microsoft.Extensions.Options;
using Needle.ControlPlane;
using Needle.Functions;
using Needle.Hosting;
using Needle.Runtime;

namespace Needle.Quality;

/// <summary>
/// The quality stage: a version's test cases run after it loads and before it takes any traffic, on every way in
/// (deploy, canary, release plan start, promote, activate, emergency patch). A failure refuses the change with
/// <see cref="TestsFailedException"/>; only an emergency patch's audited <c>skipTests</c> goes around it.
/// </summary>
internal sealed class QualityGate
{
    /// <summary>Where a version's own cases are, for messages.</summary>
    public const string ManifestTests = "manifest.tests";

    private readonly TestCaseRunner _runner;
    private readonly TestInvocationService _testRuns;
    private readonly TestRunCache _cache;
    private readonly NeedleOptions _options;

    public QualityGate(TestCaseRunner runner, TestInvocationService testRuns, TestRunCache cache, IOptions<NeedleOptions> options)
    {
        _runner = runner;
        _testRuns = testRuns;
        _cache = cache;
        _options = options.Value;
    }

    /// <summary>Parses cases strictly against <paramref name="manifest"/> (its services and fetch limit); throws <see cref="FunctionValidationException"/>.</summary>
    public IReadOnlyList<TestCase> Parse(System.Text.Json.Nodes.JsonArray? tests, string where, FunctionManifest manifest) =>
        TestCaseParser.Parse(tests, where, manifest.Services, ResolvedLimits.Resolve(manifest.Limits, _options).MaxFetchResponseBytes, _options.Quality);

    /// <summary>Whether the gate would let <paramref name="version"/> through without running anything: no cases, or a kept passing run.</summary>
    public bool IsKnownGood(FunctionVersion version) =>
        version.Manifest.Tests is not { Count: > 0 } || _cache.TryGet(version.ContentHash, out _);

    /// <summary>Runs the version's cases (or reuses a kept passing run) and throws <see cref="TestsFailedException"/> when any fails.</summary>
    /// <param name="version">The version about to take traffic.</param>
    /// <param name="loaded">The version loaded (a deploy's candidate), or <see langword="null"/> to use the served instance or load one.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public async Task EnsurePassesAsync(FunctionVersion version, ILoadedFunction? loaded, CancellationToken cancellationToken)
    {
        if (IsKnownGood(version))
        {
            return;
        }

        var run = await RunAsync(version, loaded, null, cancellationToken).ConfigureAwait(false);
        if (!run.Passed)
        {
            throw new TestsFailedException(run);
        }
    }

    /// <summary>Runs <paramref name="cases"/> (default: the version's own, reusing a kept passing run) against the version.</summary>
    public async Task<TestRunResponse> RunAsync(FunctionVersion version, ILoadedFunction? loaded, IReadOnlyList<TestCase>? cases, CancellationToken cancellationToken)
    {
        var own = cases is null;
        if (own && _cache.TryGet(version.ContentHash, out var kept))
        {
            return kept with { Version = version.Number, Cached = true };
        }

        cases ??= Parse(version.Manifest.Tests, ManifestTests, version.Manifest);
        if (cases.Count == 0)
        {
            return new TestRunResponse(version.Name, version.Number, Passed: true, Cached: false, Failed: 0, DurationMs: 0, []);
        }

        var run = await _testRuns.WithFunctionAsync(version, loaded, function => _runner.RunAsync(version, function, cases, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (own && !cases.Any(c => c.Live))
        {
            _cache.Add(version.ContentHash, run);
        }

        return run;
    }
}
