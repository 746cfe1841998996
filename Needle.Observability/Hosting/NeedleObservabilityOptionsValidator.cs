using Microsoft.Extensions.Options;
using Needle.Hosting;

namespace Needle.Observability.Hosting;

/// <summary>Checks the health windows and their publication at start.</summary>
internal sealed class NeedleObservabilityOptionsValidator(IOptions<NeedleOptions> needle) : IValidateOptions<NeedleObservabilityOptions>
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

        var goneAfter = needle.Value.NodeGoneAfter;
        if (2 * options.HealthPublishInterval > goneAfter)
        {
            return ValidateOptionsResult.Fail(
                $"HealthPublishInterval: {options.HealthPublishInterval} is more than half of NodeGoneAfter ({goneAfter}), after which a node that stopped publishing counts as gone.");
        }

        return ValidateOptionsResult.Success;
    }
}
