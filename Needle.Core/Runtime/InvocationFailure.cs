namespace Needle.Runtime;

/// <summary>Why an invocation did not produce a response.</summary>
public enum InvocationFailure
{
    /// <summary>The handler threw or its promise was rejected (500).</summary>
    HandlerError,

    /// <summary>The invocation ran past its timeout (504).</summary>
    Timeout,

    /// <summary>A sandbox limit was hit: memory, statements or recursion (500, the limit named).</summary>
    LimitExceeded,

    /// <summary>The handler returned something that cannot be sent (500).</summary>
    InvalidResponse,

    /// <summary>Every engine of the version was busy for longer than the queue timeout (503 with Retry-After).</summary>
    Overloaded,

    /// <summary>The caller went away; nothing is sent.</summary>
    Aborted,
}
