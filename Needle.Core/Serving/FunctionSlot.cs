namespace Needle.Serving;

/// <summary>
/// What serves one function right now. The endpoint for the function's route holds the slot and reads
/// <see cref="Current"/> once per request; the reconciler swaps it. No lock on either side.
/// </summary>
internal sealed class FunctionSlot
{
    private ServedRelease? _current;

    public FunctionSlot(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public ServedRelease? Current => Volatile.Read(ref _current);

    public void Set(ServedRelease? entry) => Volatile.Write(ref _current, entry);
}
