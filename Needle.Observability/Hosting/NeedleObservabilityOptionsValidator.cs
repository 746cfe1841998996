using Microsoft.Extensions.Options;

namespace Needle.Observability.Hosting;

/// <summary>Checks the health windows at start.</summary>
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

        return ValidateOptionsResult.Success;
    }
}
