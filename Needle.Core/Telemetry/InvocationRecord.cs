using Needle.Releases;

namespace Needle.Telemetry;

/// <summary>One finished invocation of a function version, as handed to <see cref="IInvocationObserver"/>s.</summary>
/// <param name="Function">The function name.</param>
/// <param name="Version">The version number.</param>
/// <param name="Role">Which part of the release served it.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Duration">How long the invocation took.</param>
/// <param name="Error">For a failure, the message the caller saw (no stack trace, no host detail).</param>
/// <param name="Limit">For <see cref="InvocationOutcome.LimitExceeded"/>, the limit hit.</param>
/// <param name="ColdStart">
/// Whether the invocation was a cold start: it created a JavaScript engine or was an engine's first call, or was a C# version's first call (the ones
/// <c>faas.coldstarts</c> counts). Its duration includes that start, so health statistics keep it out of latency figures.
/// </param>
/// <param name="StatusCode">The status the caller was answered with (the function's own, or the failure's: 500, 504 ...); 0 when the caller went away.</param>
public readonly record struct InvocationRecord(
    string Function,
    int Version,
    ReleaseRole Role,
    InvocationOutcome Outcome,
    TimeSpan Duration,
    string? Error = null,
    string? Limit = null,
    bool ColdStart = false,
    int StatusCode = 0);
