using System.Globalization;
using Needle.Functions;
using Needle.Hosting;
using Needle.Runtime;

namespace Needle.Releases;

/// <summary>Checks on a release before it is written.</summary>
internal static class ReleaseRules
{
    public const int MaxPins = 1_000;

    private static readonly NeedleOptions DefaultOptions = new();

    /// <summary>A weight is a percentage from 0 to 100 in steps of at least 0.1 (finer steps are allowed).</summary>
    public static void CheckWeight(double weight)
    {
        if (double.IsNaN(weight) || weight < 0 || weight > 100)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The canary weight must be between 0 and 100 percent (was {weight})."));
        }
    }

    public static void CheckPins(IReadOnlyList<string>? pins)
    {
        if (pins is null)
        {
            return;
        }

        if (pins.Count > MaxPins)
        {
            throw new ArgumentException($"At most {MaxPins} pinned user keys are allowed (was {pins.Count}).");
        }

        if (pins.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("A pinned user key cannot be empty.");
        }
    }

    /// <summary>
    /// A fallback response follows the rules of a function's response (<see cref="ResponseRules"/>, the sandbox on):
    /// a status from 200 to 599, valid header names and values, none of Needle's, framing or hop-by-hop headers.
    /// </summary>
    /// <param name="fallback">The fallback to check.</param>
    /// <param name="options">The host's options, for the configured version and release header names; the defaults when left out.</param>
    public static void CheckFallback(FallbackResponse fallback, NeedleOptions? options = null)
    {
        if (fallback.Status is < ResponseRules.MinStatus or > ResponseRules.MaxStatus)
        {
            throw new ArgumentException($"The fallback status must be between {ResponseRules.MinStatus} and {ResponseRules.MaxStatus} (was {fallback.Status}).");
        }

        options ??= DefaultOptions;
        foreach (var (name, value) in fallback.Headers ?? new Dictionary<string, string>())
        {
            if (ResponseRules.CheckHeader(name, value, options, sandboxed: true) is { } problem)
            {
                throw new ArgumentException($"fallback.headers: {problem}");
            }
        }

        if (fallback.Body is { Length: > 1_048_576 })
        {
            throw new ArgumentException("The fallback body must be at most 1 MB.");
        }
    }

    /// <summary>A canary runs under the stable version's endpoint, so it must answer the same route and methods.</summary>
    public static void CheckSameRoute(FunctionVersion stable, FunctionVersion canary)
    {
        var stableMethods = stable.Manifest.Methods ?? [];
        var canaryMethods = canary.Manifest.Methods ?? [];
        if (!string.Equals(stable.Manifest.Route, canary.Manifest.Route, StringComparison.Ordinal)
            || !stableMethods.Order(StringComparer.Ordinal).SequenceEqual(canaryMethods.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            throw new FunctionValidationException(
                $"A canary must keep the stable version's route and methods ({stable.Manifest.Route} {string.Join(",", stableMethods)}); version {canary.Number} has {canary.Manifest.Route} {string.Join(",", canaryMethods)}. Deploy it as a new stable version instead.");
        }
    }
}
