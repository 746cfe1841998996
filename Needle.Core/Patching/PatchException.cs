namespace Needle.Patching;

/// <summary>Thrown when a patch cannot be applied: a malformed diff, a hunk that does not match, a stale base.</summary>
public sealed class PatchException : Exception
{
    /// <summary>Creates the exception with a message that says what did not apply and where.</summary>
    public PatchException(string message)
        : base(message)
    {
    }
}
