namespace Needle.Serving;

/// <summary>
/// What serves one function right now. The endpoint for the function's route holds the slot and reads
/// <see cref="Current"/> once per request; the reconciler swaps it. No lock on either side.
/// </summary>
internal sealed class FunctionSlot
{
    private ServingEntry? _current;

    public FunctionSlot(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public ServingEntry? Current => Volatile.Read(ref _current);

    public void Set(ServingEntry? entry) => Volatile.Write(ref _current, entry);
}
