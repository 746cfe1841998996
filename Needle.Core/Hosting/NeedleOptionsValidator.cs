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

        foreach (var problem in ManifestValidator.CheckLimits(options.DefaultLimits))
        {
            failures.Add("Needle: DefaultLimits." + problem.Message["limits.".Length..]);
        }

        if (options.MaxFetchesInFlight is < 1 or > ManifestValidator.MaxFetchesInFlightBound)
        {
            failures.Add($"Needle: MaxFetchesInFlight must be between 1 and {ManifestValidator.MaxFetchesInFlightBound} (was {options.MaxFetchesInFlight}).");
        }
        else if (options.DefaultLimits?.MaxFetchesInFlight > options.MaxFetchesInFlight)
        {
            failures.Add($"Needle: DefaultLimits.MaxFetchesInFlight ({options.DefaultLimits.MaxFetchesInFlight}) is more than MaxFetchesInFlight ({options.MaxFetchesInFlight}).");
        }

        foreach (var directory in options.WatchDirectories.Where(d => !Directory.Exists(d)))
        {
            failures.Add($"Needle: the watched directory '{directory}' does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
