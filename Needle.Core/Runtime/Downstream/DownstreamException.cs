namespace Needle.Runtime.Downstream;

/// <summary>A <c>ctx.fetch</c> that could not be made or completed; the message is shown to the function.</summary>
internal sealed class DownstreamException : Exception
{
    public DownstreamException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
