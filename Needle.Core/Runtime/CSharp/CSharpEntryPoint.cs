using Microsoft.CodeAnalysis;
using Needle.Functions;

namespace Needle.Runtime.CSharp;

/// <summary>
/// The entry class rule: exactly one public, non-abstract, non-generic class that implements
/// <see cref="INeedleFunction"/>, with a public parameterless constructor.
/// </summary>
internal static class CSharpEntryPoint
{
    public static List<FunctionDiagnostic> Check(Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation)
    {
        var problems = new List<FunctionDiagnostic>();
        var contract = compilation.GetTypeByMetadataName(typeof(INeedleFunction).FullName!);
        if (contract is null)
        {
            problems.Add(new("The function API (Needle.Functions.INeedleFunction) is not referenced."));
            return problems;
        }

        var candidates = AllTypes(compilation.Assembly.GlobalNamespace)
            .Where(t => t.TypeKind == TypeKind.Class && !t.IsAbstract && !t.IsGenericType && IsPublic(t)
                && t.AllInterfaces.Contains(contract, SymbolEqualityComparer.Default))
            .ToList();
        if (candidates.Count == 0)
        {
            problems.Add(new($"The source has no public class that implements {nameof(INeedleFunction)}; write exactly one, for example 'public sealed class Handler : {nameof(INeedleFunction)}'."));
            return problems;
        }

        if (candidates.Count > 1)
        {
            var (line, column) = Position(candidates[1]);
            problems.Add(new($"The source has {candidates.Count} public classes that implement {nameof(INeedleFunction)} ({string.Join(", ", candidates.Select(c => c.Name))}); exactly one is allowed.", line, column));
            return problems;
        }

        var entry = candidates[0];
        if (!entry.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public))
        {
            var (line, column) = Position(entry);
            problems.Add(new($"'{entry.Name}' needs a public parameterless constructor: Needle creates one instance per version.", line, column));
        }

        return problems;
    }

    private static bool IsPublic(INamedTypeSymbol type)
    {
        for (ISymbol? symbol = type; symbol is INamedTypeSymbol named; symbol = named.ContainingType)
        {
            if (named.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    private static (int Line, int Column) Position(ISymbol symbol)
    {
        var location = symbol.Locations.FirstOrDefault(l => l.IsInSource);
        if (location is null)
        {
            return (0, 0);
        }

        var start = location.GetLineSpan().StartLinePosition;
        return (start.Line + 1, start.Character + 1);
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceOrTypeSymbol container)
    {
        foreach (var member in container.GetMembers())
        {
            if (member is INamespaceOrTypeSymbol inner)
            {
                if (inner is INamedTypeSymbol type)
                {
                    yield return type;
                }

                foreach (var nested in AllTypes(inner))
                {
                    yield return nested;
                }
            }
        }
    }
}
