using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Needle.Runtime.CSharp;

/// <summary>
/// Walks a function's syntax tree with its semantic model and refuses, with the API and the place named, every
/// use of a symbol the <see cref="CSharpApiPolicy"/> refuses, by name or through the operations the compiler makes
/// implicitly, and the constructs no policy can vet: unsafe code, <c>extern</c> methods and aliases, the undocumented
/// <c>__makeref</c> family, <c>stackalloc</c>, finalizers, and what <see cref="CSharpContainment"/> refuses.
/// </summary>
internal static class CSharpApiChecker
{
    public static List<FunctionDiagnostic> Check(CSharpCompilation compilation, SyntaxTree tree, CSharpApiPolicy policy)
    {
        var model = compilation.GetSemanticModel(tree);
        var own = compilation.Assembly;
        var found = new List<FunctionDiagnostic>();
        var seen = new HashSet<int>();
        var reported = new HashSet<(int, string)>();
        foreach (var node in tree.GetRoot().DescendantNodesAndSelf())
        {
            if ((Construct(node) ?? CSharpContainment.Declaration(node, model)) is { } construct)
            {
                Add(node, $"{construct} is not allowed in a function.");
                continue;
            }

            // What the compiler calls for 'foreach' and 'await' (GetEnumerator, GetAwaiter, extension ones included) has no name in the source.
            if (CSharpContainment.ImplicitCall(node, model) is { } implicitCall && CheckSymbol(implicitCall) is { } implicitReason)
            {
                Add(node, $"'{implicitCall.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)}' (called implicitly) is not allowed in a function: {implicitReason}.");
            }

            if (node is not (SimpleNameSyntax or BaseObjectCreationExpressionSyntax or ElementAccessExpressionSyntax))
            {
                continue;
            }

            var info = model.GetSymbolInfo(node);
            var symbol = info.Symbol ?? (info.CandidateSymbols.Length > 0 ? info.CandidateSymbols[0] : null);
            if (symbol is IAliasSymbol alias)
            {
                symbol = alias.Target;
            }

            var reason = CheckSymbol(symbol) ?? CheckJsonSerializerCall(node, symbol, model);
            if (reason is not null)
            {
                Add(node, $"'{symbol!.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)}' is not allowed in a function: {reason}.");
            }
        }

        // The operations, implicit ones included: what a query clause, a collection initialiser, a user-defined
        // conversion or operator, or a dynamic operation calls has no name in the source for the walk above to see.
        foreach (var operation in CSharpContainment.Operations(tree, model))
        {
            var (symbol, construct) = CSharpContainment.Inspect(operation);
            if (construct is not null)
            {
                Add(operation.Syntax, $"{construct} is not allowed in a function.");
            }
            else if (CheckSymbol(symbol) is { } reason)
            {
                Add(operation.Syntax, $"'{symbol!.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)}' is not allowed in a function: {reason}.");
            }
        }

        return found;

        string? CheckSymbol(ISymbol? symbol) => symbol switch
        {
            null or INamespaceSymbol or ILocalSymbol or IParameterSymbol or ILabelSymbol or IRangeVariableSymbol or IDiscardSymbol => null,
            ITypeSymbol type => policy.CheckType(type, own),
            _ => policy.CheckMember(symbol, own),
        };

        void Add(SyntaxNode node, string message)
        {
            var span = node.GetLocation().GetLineSpan().StartLinePosition;

            // One diagnostic a place, and one a line for the same refusal (a name and the operation around it).
            if (seen.Add(node.SpanStart) && reported.Add((span.Line, message)))
            {
                found.Add(new FunctionDiagnostic(message, span.Line + 1, span.Character + 1));
            }
        }
    }

    // JsonSerializer's default options cache type metadata for the life of the process: serialising a function's
    // own types with them would keep its version loaded for good. A call must pass options, type info or a context.
    private static string? CheckJsonSerializerCall(SyntaxNode node, ISymbol? symbol, SemanticModel model)
    {
        if (symbol is not IMethodSymbol { ContainingType: { Name: "JsonSerializer" } type } || type.ContainingNamespace?.ToDisplayString() != "System.Text.Json")
        {
            return null;
        }

        var invocation = node.Parent is MemberAccessExpressionSyntax access && access.Name == node ? access.Parent as InvocationExpressionSyntax : node.Parent as InvocationExpressionSyntax;
        if (invocation is null)
        {
            return "a method group of JsonSerializer cannot be vetted; call it with context.JsonOptions";
        }

        var passesMetadata = invocation.ArgumentList.Arguments.Any(a =>
            !a.Expression.IsKind(SyntaxKind.NullLiteralExpression) && CSharpApiPolicy.IsJsonMetadata(model.GetTypeInfo(a.Expression).Type));
        return passesMetadata
            ? null
            : "the serializer's default options cache your types for the life of the process and keep the version loaded; pass context.JsonOptions";
    }

    private static string? Construct(SyntaxNode node) => node switch
    {
        UnsafeStatementSyntax => "Unsafe code ('unsafe')",
        MemberDeclarationSyntax member when member.Modifiers.Any(SyntaxKind.UnsafeKeyword) => "Unsafe code ('unsafe')",
        LocalFunctionStatementSyntax local when local.Modifiers.Any(SyntaxKind.UnsafeKeyword) => "Unsafe code ('unsafe')",
        MemberDeclarationSyntax member when member.Modifiers.Any(SyntaxKind.ExternKeyword) => "An 'extern' method (P/Invoke)",
        LocalFunctionStatementSyntax local when local.Modifiers.Any(SyntaxKind.ExternKeyword) => "An 'extern' method (P/Invoke)",
        ExternAliasDirectiveSyntax => "An 'extern alias'",
        PointerTypeSyntax or FunctionPointerTypeSyntax => "Unsafe code (pointers)",
        FixedStatementSyntax => "Unsafe code ('fixed')",
        MakeRefExpressionSyntax or RefTypeExpressionSyntax or RefValueExpressionSyntax => "Unsafe code ('__makeref')",
        _ when node.IsKind(SyntaxKind.ArgListExpression) => "Unsafe code ('__arglist')",
        StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax =>
            "'stackalloc' (a large one, or a small one in a loop, overflows the thread's stack, and a stack overflow ends the process; use an array)",
        DestructorDeclarationSyntax =>
            "A finalizer (it runs on the process's one finalizer thread, which every unload waits for: one that blocks stops them all; use IDisposable)",
        _ => null,
    };
}
