using System.Reflection;
using System.Runtime.Loader;

namespace Needle.Runtime.CSharp;

/// <summary>
/// The collectible load context of one C# version. It loads only the function's own assembly; every reference
/// (the framework, Needle.Core, the host's assemblies) resolves to the context that loaded Needle.Core, so the
/// function's <c>INeedleFunction</c> is the host's.
/// </summary>
internal sealed class CSharpLoadContext : AssemblyLoadContext
{
    private static readonly AssemblyLoadContext Host = GetLoadContext(typeof(CSharpLoadContext).Assembly) ?? Default;

    public CSharpLoadContext(string label)
        : base("needle:" + label, isCollectible: true)
    {
    }

    protected override Assembly? Load(AssemblyName assemblyName) =>
        ReferenceEquals(Host, Default) ? null : Host.LoadFromAssemblyName(assemblyName);
}
