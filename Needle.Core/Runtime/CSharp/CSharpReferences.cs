using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Needle.Functions;

namespace Needle.Runtime.CSharp;

/// <summary>
/// What a function compiles against: a fixed set of framework assemblies (taken from the running host, so the
/// functions see exactly the APIs that will execute), Needle.Core for the function API, and the host's additional
/// assemblies. Any other assembly simply does not resolve, which is a compile error. Built once per runtime.
/// </summary>
internal sealed class CSharpReferences
{
    /// <summary>The framework assemblies functions compile against (by simple name).</summary>
    public static readonly IReadOnlyList<string> FrameworkAssemblies =
    [
        "System.Private.CoreLib", "System.Runtime", "System.Private.Uri", "System.Collections", "System.Collections.Concurrent",
        "System.Collections.Immutable", "System.Linq", "System.Memory", "System.ObjectModel", "System.Runtime.Numerics",
        "System.Text.Json", "System.Text.Encodings.Web", "System.Text.RegularExpressions", "System.Security.Cryptography",
        "System.Web.HttpUtility", "Microsoft.AspNetCore.Http.Abstractions", "Microsoft.AspNetCore.Http.Features",
        "Microsoft.Extensions.Features", "Microsoft.Extensions.Primitives",
    ];

    private CSharpReferences(IReadOnlyList<MetadataReference> references, IReadOnlyList<string> namespaces, string fingerprint)
    {
        References = references;
        Namespaces = namespaces;
        Fingerprint = fingerprint;
    }

    public IReadOnlyList<MetadataReference> References { get; }

    /// <summary>Namespaces allowed beyond the fixed list: those of the host's assemblies and the ones it named.</summary>
    public IReadOnlyList<string> Namespaces { get; }

    /// <summary>
    /// Identifies everything besides the source that shapes an image: Needle.Core's build, the compiler, the runtime
    /// version and the host's references. Part of the image key, so an upgrade never loads an image built for another.
    /// </summary>
    public string Fingerprint { get; }

    public static CSharpReferences Create(CSharpFunctionOptions options)
    {
        var trusted = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

        var paths = new List<string>();
        foreach (var name in FrameworkAssemblies)
        {
            if (trusted.TryGetValue(name, out var path))
            {
                paths.Add(path);
            }
            else if (name == "System.Private.CoreLib")
            {
                paths.Add(typeof(object).Assembly.Location);
            }
        }

        var fingerprint = new StringBuilder()
            .Append(typeof(INeedleFunction).Assembly.ManifestModule.ModuleVersionId).Append('|')
            .Append(typeof(Microsoft.CodeAnalysis.CSharp.CSharpCompilation).Assembly.GetName().Version).Append('|')
            .Append(Environment.Version).Append('|');
        paths.Add(RequireLocation(typeof(INeedleFunction).Assembly));
        var namespaces = new SortedSet<string>(options.AllowedNamespaces, StringComparer.Ordinal);
        foreach (var assembly in options.AdditionalReferences.Distinct())
        {
            paths.Add(RequireLocation(assembly));
            fingerprint.Append(assembly.ManifestModule.ModuleVersionId).Append('|');
            foreach (var type in assembly.GetExportedTypes())
            {
                namespaces.Add(type.Namespace ?? "");
            }
        }

        fingerprint.AppendJoin(',', namespaces);
        var references = paths.Distinct(StringComparer.OrdinalIgnoreCase).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint.ToString())));
        return new CSharpReferences(references, [.. namespaces], hash);
    }

    /// <summary>The key of the image of <paramref name="source"/>: equal keys mean equal images.</summary>
    public string ImageKey(string source) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Fingerprint + "\n\u0000source\u0000\n" + source)));

    private static string RequireLocation(Assembly assembly) =>
        string.IsNullOrEmpty(assembly.Location)
            ? throw new InvalidOperationException($"C# functions compile against '{assembly.GetName().Name}', which is not loaded from a file (single-file publishing is not supported).")
            : assembly.Location;
}
