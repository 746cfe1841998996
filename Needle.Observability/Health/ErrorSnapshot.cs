using Needle.Telemetry;

namespace Needle.Observability.Health;

/// <summary>The last error of a version, swapped as a whole on each error.</summary>
internal sealed record ErrorSnapshot(string Message, DateTimeOffset At, InvocationOutcome Outcome);
