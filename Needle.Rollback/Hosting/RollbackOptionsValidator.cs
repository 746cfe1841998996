using Microsoft.Extensions.Options;
using Needle.Rollback.Guard;

namespace Needle.Rollback.Hosting;

/// <summary>Refuses options that cannot work, at start, with every problem named.</summary>
internal sealed class RollbackOptionsValidator : IValidateOptions<RollbackOptions>
{
    public ValidateOptionsResult Validate(string? name, RollbackOptions options)
    {
        var failures = new List<string>();
        Check(failures, "Guard", options.Guard);
        foreach (var (function, guard) in options.FunctionGuards)
        {
            Check(failures, $"FunctionGuards[{function}]", guard);
        }

        Positive(failures, nameof(options.GuardInterval), options.GuardInterval);
        Positive(failures, nameof(options.PatchWatchWindow), options.PatchWatchWindow);
        Positive(failures, nameof(options.SchedulePollingInterval), options.SchedulePollingInterval);
        Positive(failures, nameof(options.QueuePollInterval), options.QueuePollInterval);
        if (options.QueuePollInterval > TimeSpan.FromSeconds(30))
        {
            failures.Add($"Needle.Rollback: QueuePollInterval is {options.QueuePollInterval}; at most 30 seconds keeps a queued rollback inside the one-minute promise.");
        }

        if (options.DistributedLockTimeout < TimeSpan.FromSeconds(10) || options.DistributedLockTimeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Needle.Rollback: DistributedLockTimeout is {options.DistributedLockTimeout}; it must be between 10 seconds and 10 minutes.");
        }

        if (options.Storage == RollbackStorage.Postgres)
        {
            PostgresStorageRules.Check(failures, options);
        }

        if (options.GuardDebounce < TimeSpan.Zero)
        {
            failures.Add("Needle.Rollback: GuardDebounce cannot be negative.");
        }

        if (options.PatchRevertDelta is <= 0 or > 1)
        {
            failures.Add("Needle.Rollback: PatchRevertDelta must be in (0, 1].");
        }

        if (options.WorkerCount < 1)
        {
            failures.Add("Needle.Rollback: WorkerCount must be at least 1.");
        }

        if (string.IsNullOrWhiteSpace(options.GuardCron))
        {
            failures.Add("Needle.Rollback: GuardCron is required.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string label, GuardOptions guard)
    {
        if (guard.MinimumRequests < 1)
        {
            failures.Add($"Needle.Rollback: {label}.MinimumRequests must be at least 1.");
        }

        if (guard.ErrorRatioDelta is <= 0 or > 1)
        {
            failures.Add($"Needle.Rollback: {label}.ErrorRatioDelta must be in (0, 1].");
        }

        if (guard.MinimumErrors < 1 || guard.MinimumSlowRequests < 1)
        {
            failures.Add($"Needle.Rollback: {label}.MinimumErrors and {label}.MinimumSlowRequests must be at least 1.");
        }

        if (guard.Alpha is <= 0 or > 0.5 || double.IsNaN(guard.Alpha))
        {
            failures.Add($"Needle.Rollback: {label}.Alpha must be in (0, 0.5].");
        }

        if (guard.P99Factor < 1 || guard.P99SlackMs < 0)
        {
            failures.Add($"Needle.Rollback: {label}.P99Factor must be at least 1 and P99SlackMs not negative.");
        }

        if (guard.Window < TimeSpan.FromSeconds(1) || guard.Window > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Needle.Rollback: {label}.Window must be between 1 second and 5 minutes.");
        }

        if (guard.ConsecutiveBreaches < 1)
        {
            failures.Add($"Needle.Rollback: {label}.ConsecutiveBreaches must be at least 1.");
        }

        if (guard.HealthyMargin is <= 0 or > 1)
        {
            failures.Add($"Needle.Rollback: {label}.HealthyMargin must be in (0, 1].");
        }
    }

    private static void Positive(List<string> failures, string label, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"Needle.Rollback: {label} must be positive.");
        }
    }
}
