using System.Globalization;

namespace Needle.Rollback.Plans;

/// <summary>What makes a plan valid; a plan that breaks a rule is refused whole, before anything changes.</summary>
internal static class PlanRules
{
    public const int MaxSteps = 20;
    public static readonly TimeSpan MinWait = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    /// <summary>Returns the version, steps and wait of a valid request; throws <see cref="ArgumentException"/> naming the first problem.</summary>
    public static (int Version, IReadOnlyList<double> Steps, TimeSpan Wait) Validate(PlanRequest request)
    {
        var version = request.Version ?? throw new ArgumentException("version is required: the version the plan releases.");
        var steps = request.Steps;
        if (steps is null || steps.Count == 0)
        {
            throw new ArgumentException("steps is required: canary weights in percent, for example [1, 5, 20, 50, 100].");
        }

        if (steps.Count > MaxSteps)
        {
            throw new ArgumentException($"A plan has at most {MaxSteps} steps; this one has {steps.Count}.");
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (double.IsNaN(step) || step <= 0 || step > 100)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"steps[{i}] = {step}: every step is a weight in (0, 100]."));
            }

            if (i > 0 && step <= steps[i - 1])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"steps[{i}] = {step} does not increase on {steps[i - 1]}: steps must strictly increase."));
            }
        }

        if (steps[^1] != 100)
        {
            throw new ArgumentException("The last step must be 100: the plan ends by promoting the canary.");
        }

        if (steps.Count == 1)
        {
            throw new ArgumentException("A plan needs at least one step below 100; to release at once, promote or activate instead.");
        }

        var seconds = request.StepWaitSeconds ?? throw new ArgumentException("stepWaitSeconds is required: how long each step runs before the gate is checked.");
        if (double.IsNaN(seconds) || seconds < MinWait.TotalSeconds || seconds > MaxWait.TotalSeconds)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"stepWaitSeconds = {seconds}: it must be between {MinWait.TotalSeconds} and {MaxWait.TotalSeconds}."));
        }

        return (version, steps.ToArray(), TimeSpan.FromSeconds(seconds));
    }
}
