using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Needle.Runtime.CSharp;

/// <summary>
/// The semantic half of <see cref="CSharpApiChecker"/>: declarations that end or hang the process whatever they call
/// (<c>async void</c> methods, local functions and lambdas; types in the framework's or Needle's namespaces; module
/// initialisers), what the compiler calls without a name in the source (<c>foreach</c>, <c>await</c>, query
/// clauses, initialisers, operators, conversions), and dynamic operations. Decided on symbols and operations, so
/// aliases, <c>global::</c>, fully qualified names, method groups and extension-method forms change nothing.
/// </summary>
internal static class CSharpContainment
{
    private const string AsyncVoidMethod = "An 'async void' {0} ('{1}'): an exception after its first await is thrown on the thread pool, where nothing catches it, and ends the process; return Task";
    private const string AsyncVoidLambda = "An async lambda converted to a delegate that returns void, such as Action (async void: an exception after its first await ends the process); use Func<Task> and await it";

    /// <summary>Whether <paramref name="ns"/> (a full namespace name) is the framework's or Needle's.</summary>
    public static bool IsReservedNamespace(string ns) =>
        IsUnder(ns, "System") || IsUnder(ns, "Microsoft") || IsUnder(ns, "Needle");

    /// <summary>Why the declaration <paramref name="node"/> is refused, or <see langword="null"/>.</summary>
    public static string? Declaration(SyntaxNode node, SemanticModel model)
    {
        switch (node)
        {
            case BaseNamespaceDeclarationSyntax declaration when model.GetDeclaredSymbol(declaration)?.ToDisplayString() is { } ns && IsReservedNamespace(ns):
                return $"A namespace of the framework or of Needle ('{ns}'): a type declared there passes for theirs (a compiler attribute such as ModuleInitializerAttribute, for one)";
            case MethodDeclarationSyntax method when method.Modifiers.Any(SyntaxKind.AsyncKeyword) && model.GetDeclaredSymbol(method) is { ReturnsVoid: true } symbol:
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, AsyncVoidMethod, "method", symbol.Name);
            case LocalFunctionStatementSyntax local when local.Modifiers.Any(SyntaxKind.AsyncKeyword) && model.GetDeclaredSymbol(local) is IMethodSymbol { ReturnsVoid: true } symbol:
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, AsyncVoidMethod, "local function", symbol.Name);
            case AnonymousFunctionExpressionSyntax lambda when lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword) && model.GetSymbolInfo(lambda).Symbol is IMethodSymbol { ReturnsVoid: true }:
                return AsyncVoidLambda;
            case AttributeSyntax attribute when model.GetTypeInfo(attribute).Type is { Name: "ModuleInitializerAttribute" }:
                return "A module initializer (code that runs when the version loads, outside any call)";
            default:
                return null;
        }
    }

    /// <summary>The method the compiler calls for <paramref name="node"/> without a name in the source (GetEnumerator, GetAwaiter), or <see langword="null"/>.</summary>
    public static IMethodSymbol? ImplicitCall(SyntaxNode node, SemanticModel model) => node switch
    {
        CommonForEachStatementSyntax loop => model.GetForEachStatementInfo(loop).GetEnumeratorMethod,
        AwaitExpressionSyntax awaited => model.GetAwaitExpressionInfo(awaited).GetAwaiterMethod,
        _ => null,
    };

    /// <summary>Every operation of the tree's executable code (bodies, initialisers, attributes), implicit ones included.</summary>
    public static IEnumerable<IOperation> Operations(SyntaxTree tree, SemanticModel model)
    {
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            if (IsOperationRoot(node) && model.GetOperation(node) is { } root)
            {
                foreach (var operation in root.DescendantsAndSelf())
                {
                    yield return operation;
                }
            }
        }
    }

    /// <summary>The symbol <paramref name="operation"/> uses, or why the operation itself is refused.</summary>
    public static (ISymbol? Symbol, string? Construct) Inspect(IOperation operation) => operation switch
    {
        IInvocationOperation invocation => (invocation.TargetMethod, null),
        IObjectCreationOperation creation => (creation.Constructor, null),
        IMemberReferenceOperation reference => (reference.Member, null),
        IBinaryOperation { OperatorMethod: { } method } => (method, null),
        IUnaryOperation { OperatorMethod: { } method } => (method, null),
        IConversionOperation { OperatorMethod: { } method } => (method, null),
        ICompoundAssignmentOperation { OperatorMethod: { } method } => (method, null),
        IIncrementOrDecrementOperation { OperatorMethod: { } method } => (method, null),
        ITypeOfOperation type => (type.TypeOperand, null),
        IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicObjectCreationOperation or IDynamicIndexerAccessOperation =>
            (null, "Late binding ('dynamic')"),
        IAnonymousFunctionOperation { Symbol: { IsAsync: true, ReturnsVoid: true } } => (null, AsyncVoidLambda),
        ILocalFunctionOperation { Symbol: { IsAsync: true, ReturnsVoid: true } local } =>
            (null, string.Format(System.Globalization.CultureInfo.InvariantCulture, AsyncVoidMethod, "local function", local.Name)),
        _ => (null, null),
    };

    private static bool IsOperationRoot(SyntaxNode node) => node switch
    {
        BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or AttributeSyntax or GlobalStatementSyntax or PrimaryConstructorBaseTypeSyntax => true,
        ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax } => true,
        EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent.Parent: BaseFieldDeclarationSyntax } } => true,
        EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax or EnumMemberDeclarationSyntax or ParameterSyntax } => true,
        _ => false,
    };

    private static bool IsUnder(string ns, string root) =>
        ns.StartsWith(root, StringComparison.Ordinal) && (ns.Length == root.Length || ns[root.Length] == '.');
}
