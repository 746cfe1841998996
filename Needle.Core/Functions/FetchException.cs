namespace Needle.Functions;

/// <summary>
/// Thrown by <see cref="FunctionContext.FetchAsync"/> when a call cannot be made or completed: the service is not
/// registered or not in the manifest's services, it did not answer in time, it could not be reached, or its
/// response is larger than the limit. The message says which; the function may catch it.
/// </summary>
public sealed class FetchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FetchException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
