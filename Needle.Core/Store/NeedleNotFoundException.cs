namespace Needle.Store;

/// <summary>Thrown when a function or version named in a change does not exist.</summary>
public sealed class NeedleNotFoundException : Exception
{
    /// <summary>Creates the exception with a message that names what is missing.</summary>
    public NeedleNotFoundException(string message)
        : base(message)
    {
    }
}
