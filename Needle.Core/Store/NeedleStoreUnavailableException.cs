namespace Needle.Store;

/// <summary>
/// Thrown by the store when its database cannot be reached (a refused or timed-out connection, a server shutting
/// down). While the store is unavailable, calls fail at once with this exception instead of waiting on the network;
/// the store is probed again every <see cref="RetryAfter"/>. The control plane answers it with 503 and a
/// <c>Retry-After</c> header; the node keeps serving what it loaded.
/// </summary>
public sealed class NeedleStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What could not be reached, and why.</param>
    /// <param name="since">When the store became unavailable.</param>
    /// <param name="retryAfter">When the store is probed again (a caller may retry then).</param>
    /// <param name="innerException">The database's own error, when there is one.</param>
    public NeedleStoreUnavailableException(string message, DateTimeOffset since, TimeSpan retryAfter, Exception? innerException = null)
        : base(message, innerException)
    {
        Since = since;
        RetryAfter = retryAfter;
    }

    /// <summary>When the store became unavailable.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>How long a caller should wait before trying again.</summary>
    public TimeSpan RetryAfter { get; }
}
