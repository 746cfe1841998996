using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Compiles a function's source with Roslyn, in memory: parse (latest C#, nullable enabled), check the API
/// allow-list and the entry class, emit a release-mode assembly with an embedded PDB (so a handler error can name
/// its line). Every error and warning comes back with line and column: in a <see cref="FunctionValidationException"/>
/// when the source does not compile, with the image (<see cref="CSharpImage.Warnings"/>) when it does.
/// </summary>
internal sealed class CSharpCompiler
{
    /// <summary>The namespaces every function sees without a <c>using</c>.</summary>
    public static readonly IReadOnlyList<string> ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Text.Json", "System.Text.Json.Nodes",
        "System.Threading", "System.Threading.Tasks", "Needle.Functions", "Needle.Runtime",
    ];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.None);

    private static readonly SyntaxTree GlobalUsings = CSharpSyntaxTree.ParseText(
        string.Concat(ImplicitUsings.Select(u => $"global using {u};\n")), ParseOptions, "usings.g.cs", Encoding.UTF8);

    private static readonly CSharpCompilationOptions CompilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithOptimizationLevel(OptimizationLevel.Release)
        .WithNullableContextOptions(NullableContextOptions.Enable)
        .WithAllowUnsafe(false)
        .WithDeterministic(true)
        .WithConcurrentBuild(false)
        .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
        {
            // Version unification between framework facades; not the function author's concern.
            ["CS1701"] = ReportDiagnostic.Suppress,
            ["CS1702"] = ReportDiagnostic.Suppress,
        });

    private static readonly EmitOptions EmitOptions = new(debugInformationFormat: DebugInformationFormat.Embedded);

    /// <summary>
    /// Every function assembly has this name: each loads into a context of its own, so names never meet, and one
    /// name lets every compilation start from <see cref="_base"/>.
    /// </summary>
    public const string AssemblyName = "needle-function";

    private readonly CSharpReferences _references;
    private readonly CSharpApiPolicy _policy;

    // The references bound once: a compilation made from it by adding a syntax tree reuses its reference manager
    // (the symbols of twenty framework assemblies) instead of binding them again for every deploy.
    private readonly CSharpCompilation _base;

    public CSharpCompiler(CSharpReferences references)
    {
        _references = references;
        _policy = new CSharpApiPolicy(references.Namespaces);
        _base = CSharpCompilation.Create(AssemblyName, [GlobalUsings], references.References, CompilationOptions);
    }

    /// <summary>The references and the fingerprint they give image keys.</summary>
    public CSharpReferences References => _references;

    /// <summary>Compiles <paramref name="source"/> into a PE image with its warnings, or throws <see cref="FunctionValidationException"/>.</summary>
    /// <param name="source">The function's source.</param>
    /// <param name="fileName">The file name diagnostics and stack traces show, for example <c>greeter.cs</c>.</param>
    public CSharpImage Compile(string source, string fileName)
    {
        var tree = CSharpSyntaxTree.ParseText(SourceText.From(source, Encoding.UTF8), ParseOptions, fileName);
        var compilation = _base.AddSyntaxTrees(tree);

        var problems = CSharpApiChecker.Check(compilation, tree, _policy);
        problems.AddRange(CSharpEntryPoint.Check(compilation));

        using var image = new MemoryStream();
        var result = compilation.Emit(image, options: EmitOptions);
        var diagnostics = result.Diagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed && (d.Location.SourceTree is null || d.Location.SourceTree == tree))
            .Select(ToDiagnostic);
        problems.AddRange(diagnostics);
        // The metadata check is the backstop for what the source check should have refused already.
        if (result.Success && !problems.Any(p => p.Severity == "error"))
        {
            problems.AddRange(CSharpImageCheck.Problems(image.ToArray()).Select(p => new FunctionDiagnostic(p)));
        }

        if (!result.Success || problems.Any(p => p.Severity == "error"))
        {
            throw new FunctionValidationException([.. problems
                .OrderBy(p => p.Severity == "error" ? 0 : 1)
                .ThenBy(p => p.Line)
                .ThenBy(p => p.Column)]);
        }

        return new CSharpImage(image.ToArray(), [.. problems.OrderBy(p => p.Line).ThenBy(p => p.Column)]);
    }

    /// <summary>
    /// Checks an image that was not compiled here (read from the store) before it loads: its source against this
    /// build's allow-list and entry class rule, and its metadata (<see cref="CSharpImageCheck"/>).
    /// </summary>
    /// <exception cref="FunctionValidationException">The source breaks a rule.</exception>
    /// <exception cref="BadImageFormatException">The image is not one this source compiles to.</exception>
    public void Verify(CSharpImage image, string source, string fileName)
    {
        var tree = CSharpSyntaxTree.ParseText(SourceText.From(source, Encoding.UTF8), ParseOptions, fileName);
        var compilation = _base.AddSyntaxTrees(tree);
        var problems = CSharpApiChecker.Check(compilation, tree, _policy);
        problems.AddRange(CSharpEntryPoint.Check(compilation));
        if (problems.Any(p => p.Severity == "error"))
        {
            throw new FunctionValidationException([.. problems.OrderBy(p => p.Line).ThenBy(p => p.Column)]);
        }

        if (CSharpImageCheck.Problems(image.Assembly) is [var first, ..])
        {
            throw new BadImageFormatException(first);
        }
    }

    private static FunctionDiagnostic ToDiagnostic(Diagnostic diagnostic)
    {
        var position = diagnostic.Location.IsInSource ? diagnostic.Location.GetLineSpan().StartLinePosition : default;
        var line = diagnostic.Location.IsInSource ? position.Line + 1 : 0;
        var column = diagnostic.Location.IsInSource ? position.Character + 1 : 0;
        return new FunctionDiagnostic(
            $"{diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}",
            line,
            column,
            diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning")
        {
            Code = diagnostic.Id,
        };
    }
}
