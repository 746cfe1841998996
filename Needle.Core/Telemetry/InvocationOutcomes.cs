using Needle.Runtime;

namespace Needle.Telemetry;

/// <summary>The tag values of <see cref="InvocationOutcome"/> and the mapping from <see cref="InvocationFailure"/>.</summary>
public static class InvocationOutcomes
{
    private static readonly string[] Names = ["success", "error", "timeout", "limit_exceeded", "invalid_response", "overloaded", "aborted"];

    /// <summary>The tag value of an outcome: <c>success</c>, <c>error</c>, <c>timeout</c>, <c>limit_exceeded</c>, <c>invalid_response</c>, <c>overloaded</c> or <c>aborted</c>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>Its lower-case name, never allocated.</returns>
    public static string Name(InvocationOutcome outcome) => Names[(int)outcome];

    /// <summary>Whether the outcome counts as an error (everything but success and aborted).</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns><see langword="true"/> for a failure the caller saw as a 5xx.</returns>
    public static bool IsError(InvocationOutcome outcome) => outcome is not (InvocationOutcome.Success or InvocationOutcome.Aborted);

    /// <summary>The outcome of a failed invocation.</summary>
    /// <param name="failure">Why it failed.</param>
    /// <returns>The matching outcome.</returns>
    public static InvocationOutcome From(InvocationFailure failure) => failure switch
    {
        InvocationFailure.Timeout => InvocationOutcome.Timeout,
        InvocationFailure.LimitExceeded => InvocationOutcome.LimitExceeded,
        InvocationFailure.InvalidResponse => InvocationOutcome.InvalidResponse,
        InvocationFailure.Overloaded => InvocationOutcome.Overloaded,
        InvocationFailure.Aborted => InvocationOutcome.Aborted,
        _ => InvocationOutcome.Error,
    };
}
