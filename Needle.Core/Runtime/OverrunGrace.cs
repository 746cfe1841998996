namespace Needle.Runtime;

/// <summary>
/// How long past its deadline an invocation may go on before it is answered without its work: the endpoint's watchdog
/// gives a synchronous part this long, and the C# runtime gives a function that honours its token this long to end.
/// </summary>
internal static class OverrunGrace
{
    /// <summary>The grace period: 50 ms.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);
}
