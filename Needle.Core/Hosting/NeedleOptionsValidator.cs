using Microsoft.Extensions.Options;
using Needle.Functions;

namespace Needle.Hosting;

/// <summary>Validates <see cref="NeedleOptions"/> when the host starts.</summary>
internal sealed class NeedleOptionsValidator : IValidateOptions<NeedleOptions>
{
    public ValidateOptionsResult Validate(string? name, NeedleOptions options)
    {
        var failures = new List<string>();
        if (options.QueueTimeout < TimeSpan.Zero || options.QueueTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Needle: QueueTimeout must be between 0 and 1 minute (was {options.QueueTimeout}).");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10))
        {
            failures.Add($"Needle: PollInterval must be at least 10 ms (was {options.PollInterval}).");
        }

        if (options.NodeHeartbeatInterval < TimeSpan.FromMilliseconds(10))
        {
            failures.Add($"Needle: NodeHeartbeatInterval must be at least 10 ms (was {options.NodeHeartbeatInterval}).");
        }
        else if (options.NodeGoneAfter < options.NodeHeartbeatInterval * 2)
        {
            // A node must miss more than one beat to look gone, or a slow beat makes a live node flap.
            failures.Add($"Needle: NodeGoneAfter must be at least twice NodeHeartbeatInterval ({options.NodeHeartbeatInterval}), was {options.NodeGoneAfter}.");
        }
        else if (options.NodeForgetAfter <= options.NodeGoneAfter)
        {
            failures.Add($"Needle: NodeForgetAfter must be longer than NodeGoneAfter ({options.NodeGoneAfter}), was {options.NodeForgetAfter}.");
        }

        if (options.WatchDebounce < TimeSpan.Zero)
        {
            failures.Add("Needle: WatchDebounce cannot be negative.");
        }

        if (string.IsNullOrWhiteSpace(options.VersionHeaderName))
        {
            failures.Add("Needle: VersionHeaderName is required.");
        }

        if (string.IsNullOrWhiteSpace(options.NodeId))
        {
            failures.Add("Needle: NodeId is required.");
        }

        if (options.Postgres is { } postgres)
        {
            PostgresOptionsValidator.Validate(postgres, failures);
        }

        if (options.ApiKey is { Length: > 0 and < 16 })
        {
            failures.Add("Needle: ApiKey must be at least 16 characters long.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKeyHeaderName))
        {
            failures.Add("Needle: ApiKeyHeaderName is required.");
        }

        if (options.LocalAccess is null)
        {
            failures.Add("Needle: LocalAccess is required.");
        }
        else
        {
            foreach (var hostName in options.LocalAccess.LoopbackHostNames.Where(n => string.IsNullOrWhiteSpace(n) || n.Any(c => c is ':' or '/' || char.IsWhiteSpace(c))))
            {
                failures.Add($"Needle: LocalAccess.LoopbackHostNames holds '{hostName}', which is not a host name (give the name without scheme or port).");
            }
        }

        if (options.JavaScript is null)
        {
            failures.Add("Needle: JavaScript is required.");
        }
        else
        {
            if (options.JavaScript.MemoryCeilingMb is < 0 or > 1_048_576)
            {
                failures.Add($"Needle: JavaScript.MemoryCeilingMb must be between 0 (no ceiling) and 1,048,576 (was {options.JavaScript.MemoryCeilingMb}).");
            }

            if (options.JavaScript.MaxCallsPerEngine < 0)
            {
                failures.Add($"Needle: JavaScript.MaxCallsPerEngine cannot be negative (was {options.JavaScript.MaxCallsPerEngine}).");
            }
        }

        if (options.Releases is null)
        {
            failures.Add("Needle: Releases is required.");
        }
        else
        {
            if (options.Releases.WarmVersions is < 0 or > 20)
            {
                failures.Add($"Needle: Releases.WarmVersions must be between 0 and 20 (was {options.Releases.WarmVersions}).");
            }

            if (string.IsNullOrWhiteSpace(options.Releases.ReleaseHeaderName))
            {
                failures.Add("Needle: Releases.ReleaseHeaderName is required.");
            }

            if (options.Releases.AllowPin is null)
            {
                failures.Add("Needle: Releases.AllowPin is required (return false to refuse every pin).");
            }
        }

        CheckQuality(options.Quality, failures);
        foreach (var problem in ManifestValidator.CheckLimits(options.DefaultLimits))
        {
            failures.Add("Needle: DefaultLimits." + problem.Message["limits.".Length..]);
        }

        if (options.MaxLimits is null)
        {
            failures.Add("Needle: MaxLimits is required (set a member to null to leave that limit unbounded by the host).");
        }
        else
        {
            foreach (var problem in ManifestValidator.CheckLimits(options.MaxLimits))
            {
                failures.Add("Needle: MaxLimits." + problem.Message["limits.".Length..]);
            }

            // Every default (set, or built in when DefaultLimits leaves it out) must fit under its maximum.
            var defaults = ResolvedLimits.Resolve(null, options.DefaultLimits ?? new FunctionLimits());
            foreach (var problem in ManifestValidator.CheckMaximums(AsLimits(defaults), options.MaxLimits))
            {
                failures.Add("Needle: DefaultLimits." + problem.Message["limits.".Length..] + " Lower the default or raise MaxLimits.");
            }
        }

        foreach (var directory in options.WatchDirectories.Where(d => !Directory.Exists(d)))
        {
            failures.Add($"Needle: the watched directory '{directory}' does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static FunctionLimits AsLimits(ResolvedLimits limits) => new()
    {
        TimeoutMs = (int)limits.Timeout.TotalMilliseconds,
        MemoryMb = (int)(limits.MemoryBytes >> 20),
        MaxStatements = limits.MaxStatements,
        MaxRecursionDepth = limits.MaxRecursionDepth,
        MaxConcurrency = limits.MaxConcurrency,
        MaxRequestBodyKb = (int)(limits.MaxRequestBodyBytes >> 10),
        MaxFetchResponseKb = (int)(limits.MaxFetchResponseBytes >> 10),
        MaxResponseKb = (int)(limits.MaxResponseBytes >> 10),
        MaxLogLines = limits.MaxLogLines,
        MaxLogKb = (int)(limits.MaxLogBytes >> 10),
        MaxFetchesInFlight = limits.MaxFetchesInFlight,
    };

    private static void CheckQuality(Quality.QualityOptions? quality, List<string> failures)
    {
        if (quality is null)
        {
            failures.Add("Needle: Quality is required.");
            return;
        }

        if (quality.MaxCases is < 1 or > 10_000)
        {
            failures.Add($"Needle: Quality.MaxCases must be between 1 and 10,000 (was {quality.MaxCases}).");
        }

        if (quality.MaxCaseKb is < 1 or > 65_536)
        {
            failures.Add($"Needle: Quality.MaxCaseKb must be between 1 and 65,536 (was {quality.MaxCaseKb}).");
        }

        if (quality.CachedResults is < 0 or > 100_000)
        {
            failures.Add($"Needle: Quality.CachedResults must be between 0 and 100,000 (was {quality.CachedResults}).");
        }
    }
}
