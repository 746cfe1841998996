namespace Needle.Store;

/// <summary>Thrown when a release change was based on a release that another change has replaced meanwhile.</summary>
public sealed class NeedleConflictException : Exception
{
    /// <summary>Creates the exception with a message that says what changed.</summary>
    public NeedleConflictException(string message)
        : base(message)
    {
    }
}
