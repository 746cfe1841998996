namespace Needle.Runtime;

/// <summary>
/// Thrown when a version is not loaded because the node has no room for another load right now (for C#, too many
/// loads whose load code has not ended). Nothing changed; the control plane answers 503 with the message.
/// </summary>
internal sealed class LoadCapacityException : Exception
{
    public LoadCapacityException(string message)
        : base(message)
    {
    }
}
