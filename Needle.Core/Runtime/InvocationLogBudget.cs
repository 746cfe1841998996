using System.Globalization;
using System.Text;
using Needle.Functions;

namespace Needle.Runtime;

/// <summary>
/// One invocation's log budget, lines and bytes (<see cref="ResolvedLimits.MaxLogLines"/>,
/// <see cref="ResolvedLimits.MaxLogBytes"/>), with the count of lines refused so one line can say how many were.
/// </summary>
/// <remarks>
/// A mutable struct held in a field of <see cref="InvocationContext"/>: no allocation of its own. Lock-free, since a C#
/// function may log from several threads. Once a line is refused for its size, the bytes it asked for stay counted, so
/// the lines after it are dropped too: the budget is spent.
/// </remarks>
internal struct InvocationLogBudget
{
    private const int DefaultMaxLines = 200;
    private const long DefaultMaxBytes = 256 * 1024;
    private int _linesLeft;
    private long _bytesLeft;
    private int _dropped;
    private int _reported;

    public InvocationLogBudget(ResolvedLimits? limits)
    {
        _linesLeft = MaxLines = limits?.MaxLogLines ?? DefaultMaxLines;
        _bytesLeft = MaxBytes = limits?.MaxLogBytes ?? DefaultMaxBytes;
    }

    /// <summary>The call's line limit.</summary>
    public int MaxLines { get; }

    /// <summary>The call's byte limit (UTF-8).</summary>
    public long MaxBytes { get; }

    /// <summary>
    /// Takes one line from the budget, <paramref name="message"/> escaped first (<see cref="FunctionLogText.Escape"/>)
    /// so its size is what the host log gets; or counts it refused. A spent budget refuses before escaping anything.
    /// </summary>
    public bool TryTake(ref string message)
    {
        if (Volatile.Read(ref _linesLeft) <= 0)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        message = FunctionLogText.Escape(message);
        if (Interlocked.Decrement(ref _linesLeft) < 0 || Interlocked.Add(ref _bytesLeft, -Encoding.UTF8.GetByteCount(message)) < 0)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        return true;
    }

    /// <summary>The line saying how many lines were refused, the first time it is asked and some were; otherwise <see langword="null"/>.</summary>
    public string? TakeDroppedReport() =>
        Volatile.Read(ref _dropped) is > 0 and var dropped && Interlocked.Exchange(ref _reported, 1) == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{dropped} log line(s) dropped: over this call's limit of {MaxLines} lines or {MaxBytes / 1024} KB.")
            : null;
}
