namespace Needle.Telemetry;

/// <summary>
/// Sees every invocation that took traffic, on the request path right after the handler answered (test invocations
/// are not seen). Register with <c>TryAddEnumerable</c>; with none registered the request path pays nothing.
/// Implementations must be fast, thread-safe and must not throw (an exception is swallowed).
/// </summary>
public interface IInvocationObserver
{
    /// <summary>Records one finished invocation.</summary>
    /// <param name="record">What happened.</param>
    void OnInvocation(in InvocationRecord record);
}
