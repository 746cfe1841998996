using System.Reflection;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Options of the C# runtime, set through <c>AddCSharpFunctions(o =&gt; ...)</c> on the Needle builder and validated at start.
/// </summary>
public sealed class CSharpFunctionOptions
{
    /// <summary>
    /// Assemblies of the host that functions may compile against, beyond the fixed set (the BCL parts a BFF needs and
    /// Needle's function API). Every public namespace of an assembly listed here is allowed. Each must be loaded from
    /// a file. Default: none.
    /// </summary>
    public IList<Assembly> AdditionalReferences { get; } = [];

    /// <summary>
    /// Further namespaces functions may use, in assemblies that are referenced already (for example
    /// <c>System.Diagnostics.Metrics</c>). The specific refusals (file access, process, reflection, ...) still apply.
    /// Default: none.
    /// </summary>
    public ISet<string> AllowedNamespaces { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Compiles a trivial function in the background at start, so the first real deploy is fast. Default: <see langword="true"/>.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>
    /// How long a version's load code (its entry class's constructor, static constructors, field initialisers) may run
    /// when the version loads. A load past it is answered with an error at the limit and its thread abandoned: .NET
    /// cannot stop a running thread, so the thread is counted and left to end on its own, if it ever does. Between 100 ms
    /// and 5 minutes. Default: 5 seconds.
    /// </summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many load threads this node may have whose load code has not ended: loads past <see cref="LoadTimeout"/>
    /// (stuck, abandoned) and loads in progress together. Each stuck one holds a thread for good, so beyond this
    /// a load is refused at once (a deploy or release change answers 503 naming this option) until one ends or the
    /// host restarts. Between 1 and 64. Default: 4.
    /// </summary>
    public int MaxStuckLoads { get; set; } = 4;

    /// <summary>How many compiled images this node keeps in memory by key, most recently used first. Default: 64.</summary>
    public int ImageCacheSize { get; set; } = 64;
}
