namespace Needle.Benchmarks.Soak;

/// <summary>One function of the soak: its source and manifest, and whether it is one of the well-behaved ones.</summary>
internal sealed record SoakFunction(string Name, string Source, object Manifest, bool WellBehaved)
{
    public string Path => "/fn/" + Name;
}
