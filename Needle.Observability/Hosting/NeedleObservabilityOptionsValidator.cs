using Microsoft.Extensions.Options;

namespace Needle.Observability.Hosting;

/// <summary>Checks the health windows and their publication at start.</summary>
internal sealed class NeedleObservabilityOptionsValidator : IValidateOptions<NeedleObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, NeedleObservabilityOptions options)
    {
        if (options.HealthWindows.Count == 0)
        {
            return ValidateOptionsResult.Fail("HealthWindows: at least one window is required.");
        }

        foreach (var window in options.HealthWindows)
        {
            if (window < TimeSpan.FromSeconds(1) || window > TimeSpan.FromHours(1) || window.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                return ValidateOptionsResult.Fail($"HealthWindows: {window} is not a whole number of seconds between 1 s and 1 h.");
            }
        }

        if (options.HealthPublishInterval < TimeSpan.FromMilliseconds(100) || options.HealthPublishInterval > TimeSpan.FromMinutes(1))
        {
            return ValidateOptionsResult.Fail($"HealthPublishInterval: {options.HealthPublishInterval} is not between 100 ms and 1 min.");
        }

        if (options.HealthNodeFreshness < 2 * options.HealthPublishInterval || options.HealthNodeFreshness > TimeSpan.FromHours(1))
        {
            return ValidateOptionsResult.Fail(
                $"HealthNodeFreshness: {options.HealthNodeFreshness} is not between twice HealthPublishInterval ({2 * options.HealthPublishInterval}) and 1 h.");
        }

        return ValidateOptionsResult.Success;
    }
}
