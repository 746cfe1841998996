namespace Needle.Runtime;

/// <summary>Thrown by a runtime when an invocation fails; the endpoint turns it into problem details.</summary>
public sealed class FunctionInvocationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why the invocation failed.</param>
    /// <param name="message">A message safe to show the caller: no stack trace, no host detail.</param>
    /// <param name="limit">For <see cref="InvocationFailure.LimitExceeded"/>, the limit hit: <c>memory</c>, <c>statements</c> or <c>recursion</c>.</param>
    /// <param name="innerException">The underlying exception, for the host's log only.</param>
    public FunctionInvocationException(InvocationFailure failure, string message, string? limit = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        Limit = limit;
    }

    /// <summary>Why the invocation failed.</summary>
    public InvocationFailure Failure { get; }

    /// <summary>The limit hit, for <see cref="InvocationFailure.LimitExceeded"/>.</summary>
    public string? Limit { get; }
}
