namespace Needle.Telemetry;

/// <summary>How an invocation ended.</summary>
public enum InvocationOutcome
{
    /// <summary>The handler answered (whatever status it chose).</summary>
    Success,

    /// <summary>The handler threw or its promise was rejected.</summary>
    Error,

    /// <summary>The invocation ran past its timeout.</summary>
    Timeout,

    /// <summary>A sandbox limit stopped it.</summary>
    LimitExceeded,

    /// <summary>The handler returned something that cannot be sent.</summary>
    InvalidResponse,

    /// <summary>No engine became free within the queue timeout.</summary>
    Overloaded,

    /// <summary>The caller went away; neither a success nor an error.</summary>
    Aborted,
}
