using System.Globalization;
using Microsoft.AspNetCore.Routing.Patterns;
using Needle.Runtime;

namespace Needle.Functions;

/// <summary>Checks a manifest before anything is deployed and fills in the defaults (route, methods, runtime).</summary>
internal static class ManifestValidator
{
    /// <summary>The highest <c>limits.maxFetchesInFlight</c> (and <c>NeedleOptions.MaxLimits.MaxFetchesInFlight</c>) there can be.</summary>
    public const int MaxFetchesInFlightBound = 10_000;

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
    };

    /// <summary>Returns the manifest with defaults applied, or throws <see cref="FunctionValidationException"/> naming every problem.</summary>
    public static FunctionManifest Normalize(
        FunctionManifest manifest,
        IReadOnlyCollection<string> runtimes,
        ISet<string> registeredServices,
        FunctionLimits? maximums = null)
    {
        var problems = new List<FunctionDiagnostic>();
        if (!FunctionNames.IsValid(manifest.Name))
        {
            problems.Add(new($"manifest.name: '{manifest.Name}' is not a valid function name; use 1 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'."));
        }

        var route = string.IsNullOrWhiteSpace(manifest.Route) ? "/" + manifest.Name : manifest.Route.Trim();
        if (!route.StartsWith('/'))
        {
            route = "/" + route;
        }

        try
        {
            var pattern = RoutePatternFactory.Parse(route);
            if (pattern.Parameters.Any(p => p.IsCatchAll) && pattern.PathSegments.Count == 1 && pattern.Parameters.Count == 1)
            {
                problems.Add(new($"manifest.route: '{route}' would catch every path; give it a literal segment first."));
            }
        }
        catch (RoutePatternException ex)
        {
            problems.Add(new($"manifest.route: '{route}' is not a valid route template: {ex.Message}"));
        }

        var methods = (manifest.Methods is { Count: > 0 } given ? given : ["GET", "POST"])
            .Select(m => m.Trim().ToUpperInvariant())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var method in methods.Where(m => !KnownMethods.Contains(m)))
        {
            problems.Add(new($"manifest.methods: '{method}' is not a supported HTTP method ({string.Join(", ", KnownMethods)})."));
        }

        var runtime = string.IsNullOrWhiteSpace(manifest.Runtime) ? FunctionRuntimes.JavaScript : manifest.Runtime.Trim().ToLowerInvariant();
        if (!runtimes.Contains(runtime))
        {
            problems.Add(new($"manifest.runtime: '{manifest.Runtime}' is not a runtime this host runs ({string.Join(", ", runtimes)})."));
        }

        CheckLimits(manifest.Limits, problems);
        CheckMaximums(manifest.Limits, maximums, problems);
        CheckGuard(manifest.Guard, problems);

        var services = (manifest.Services ?? []).Select(s => s.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var service in services.Where(s => !registeredServices.Contains(s)))
        {
            var known = registeredServices.Count == 0 ? "none" : string.Join(", ", registeredServices);
            problems.Add(new($"manifest.services: '{service}' is not a downstream service registered by the host (registered: {known})."));
        }

        if (problems.Count > 0)
        {
            throw new FunctionValidationException(problems);
        }

        return new FunctionManifest
        {
            Name = manifest.Name,
            Route = route,
            Methods = methods,
            Runtime = runtime,
            Limits = manifest.Limits,
            Config = manifest.Config,
            Secrets = manifest.Secrets is { Count: > 0 } secrets ? new SortedDictionary<string, string>(secrets, StringComparer.Ordinal) : null,
            Services = services,
            Guard = manifest.Guard,
            Tests = manifest.Tests is { Count: > 0 } tests ? tests : null,
            Sandbox = manifest.Sandbox is false ? false : null,
        };
    }

    /// <summary>Checks host default limits the same way (used by the options validator).</summary>
    public static IReadOnlyList<FunctionDiagnostic> CheckLimits(FunctionLimits? limits)
    {
        var problems = new List<FunctionDiagnostic>();
        CheckLimits(limits, problems);
        return problems;
    }

    /// <summary>Checks that the host's default limits do not exceed its maximums (used by the options validator).</summary>
    public static IReadOnlyList<FunctionDiagnostic> CheckMaximums(FunctionLimits? limits, FunctionLimits? maximums)
    {
        var problems = new List<FunctionDiagnostic>();
        CheckMaximums(limits, maximums, problems);
        return problems;
    }

    /// <summary>Refuses a limit over the host's maximum (<c>NeedleOptions.MaxLimits</c>), naming the field and the maximum.</summary>
    private static void CheckMaximums(FunctionLimits? limits, FunctionLimits? maximums, List<FunctionDiagnostic> problems)
    {
        if (limits is null || maximums is null)
        {
            return;
        }

        Check(limits.TimeoutMs, maximums.TimeoutMs, "timeoutMs");
        Check(limits.MemoryMb, maximums.MemoryMb, "memoryMb");
        Check(limits.MaxStatements, maximums.MaxStatements, "maxStatements");
        Check(limits.MaxRecursionDepth, maximums.MaxRecursionDepth, "maxRecursionDepth");
        Check(limits.MaxConcurrency, maximums.MaxConcurrency, "maxConcurrency");
        Check(limits.MaxRequestBodyKb, maximums.MaxRequestBodyKb, "maxRequestBodyKb");
        Check(limits.MaxFetchResponseKb, maximums.MaxFetchResponseKb, "maxFetchResponseKb");
        Check(limits.MaxResponseKb, maximums.MaxResponseKb, "maxResponseKb");
        Check(limits.MaxLogLines, maximums.MaxLogLines, "maxLogLines");
        Check(limits.MaxLogKb, maximums.MaxLogKb, "maxLogKb");
        Check(limits.MaxFetchesInFlight, maximums.MaxFetchesInFlight, "maxFetchesInFlight");

        void Check(int? value, int? maximum, string name)
        {
            if (value is { } v && maximum is { } max && v > max)
            {
                problems.Add(new($"limits.{name}: {v} is over this host's maximum of {max}."));
            }
        }
    }

    /// <summary>Refuses guard thresholds the guard cannot work with; each problem names its field.</summary>
    private static void CheckGuard(FunctionGuard? guard, List<FunctionDiagnostic> problems)
    {
        if (guard is null)
        {
            return;
        }

        Check(guard.MinimumRequests, "minimumRequests", 1, 1_000_000, exclusiveMin: false);
        Check(guard.ErrorRatioDelta, "errorRatioDelta", 0, 1, exclusiveMin: true);
        Check(guard.P99Factor, "p99Factor", 1, 1_000, exclusiveMin: false);
        Check(guard.P99SlackMs, "p99SlackMs", 0, 600_000, exclusiveMin: false);
        Check(guard.ConsecutiveBreaches, "consecutiveBreaches", 1, 100, exclusiveMin: false);

        void Check(double? value, string name, double min, double max, bool exclusiveMin)
        {
            if (value is { } v && (!double.IsFinite(v) || v > max || (exclusiveMin ? v <= min : v < min)))
            {
                var range = exclusiveMin ? $"above {min.ToString(CultureInfo.InvariantCulture)}, at most {max.ToString(CultureInfo.InvariantCulture)}" : $"{min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";
                problems.Add(new($"guard.{name}: {v.ToString(CultureInfo.InvariantCulture)} is out of range ({range})."));
            }
        }
    }

    private static void CheckLimits(FunctionLimits? limits, List<FunctionDiagnostic> problems)
    {
        if (limits is null)
        {
            return;
        }

        Check(limits.TimeoutMs, "timeoutMs", 1, 300_000);
        Check(limits.MemoryMb, "memoryMb", 1, 4_096);
        Check(limits.MaxStatements, "maxStatements", 1, int.MaxValue);
        Check(limits.MaxRecursionDepth, "maxRecursionDepth", 1, 10_000);
        Check(limits.MaxConcurrency, "maxConcurrency", 1, 10_000);
        Check(limits.MaxRequestBodyKb, "maxRequestBodyKb", 0, 1_048_576);
        Check(limits.MaxFetchResponseKb, "maxFetchResponseKb", 1, 1_048_576);
        Check(limits.MaxResponseKb, "maxResponseKb", 1, 1_048_576);
        Check(limits.MaxFetchesInFlight, "maxFetchesInFlight", 1, MaxFetchesInFlightBound);
        Check(limits.MaxLogLines, "maxLogLines", 0, 1_000_000);
        Check(limits.MaxLogKb, "maxLogKb", 0, 1_048_576);

        void Check(int? value, string name, int min, int max)
        {
            if (value is { } v && (v < min || v > max))
            {
                problems.Add(new($"limits.{name}: {v} is out of range ({min} to {max})."));
            }
        }
    }
}
