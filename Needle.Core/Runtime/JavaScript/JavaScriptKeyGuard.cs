using Acornima.Ast;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// <c>for (k in x)</c>, <c>{ ...x }</c> and <c>const { ...rest } = x</c> build the whole key list of <c>x</c> in one native step, one string per
/// element of a typed array or a string (a 32 MB <c>Uint8Array</c> is about a gigabyte of keys), with no check of the
/// engine's limits until the step is done. They are statements and syntax, not built-ins a guard can replace, so the
/// module's source is rewritten once when the version loads: the walked value goes through <c>__needleKeys</c>, a
/// module-level constant bound (before any of the module's code runs) to the check that
/// <see cref="JavaScriptAllocationGuards"/> installs under a symbol of the global object (not writable, not
/// configurable), which refuses a value whose key list would pass the memory limit. A module may not use that name
/// itself, so it cannot shadow the binding; a module that shadows <c>globalThis</c> or <c>Symbol</c> at its top level
/// fails to load or to walk, never walks unchecked.
/// </summary>
internal static class JavaScriptKeyGuard
{
    /// <summary>The module-level binding the rewritten code calls.</summary>
    public const string Name = "__needleKeys";

    /// <summary>Names that start so are the host's: a module may not use them, so it cannot shadow the bindings.</summary>
    public const string ReservedPrefix = "__needle";

    private const string Prelude =
        $"const {{ keys: {Name}, add: {JavaScriptConcatGuard.Add}, addAll: {JavaScriptConcatGuard.AddAll}, addTo: {JavaScriptConcatGuard.AddTo}, cat: {JavaScriptConcatGuard.Cat}, cat1: {JavaScriptConcatGuard.Cat1}, str: {JavaScriptConcatGuard.Str} }} = globalThis[Symbol.for('needle.keys')];";

    /// <summary>
    /// The source with every for-in subject, object-spread argument and value destructured with an object rest wrapped,
    /// and every concatenation guarded (<see cref="JavaScriptConcatGuard"/>), or <see langword="null"/> when there is
    /// none. Edits stay on their line, so lines are unchanged; columns after one on the same line (and on the first
    /// line, which gets the bindings) shift. Throws <see cref="FunctionValidationException"/> when the module uses a
    /// name starting with <see cref="ReservedPrefix"/>, or an object rest the rewrite cannot see the value of.
    /// </summary>
    public static string? Rewrite(string source, Module module)
    {
        var edits = new JavaScriptSourceEdits();
        var tagged = new HashSet<TemplateLiteral>();
        var guardedRests = new HashSet<ObjectPattern>();
        var chained = new HashSet<Node>();
        foreach (var node in module.DescendantNodesAndSelf())
        {
            JavaScriptRestRewrite.Collect(source, node, edits, guardedRests);
            switch (node)
            {
                case Identifier { Name: var name } when name.StartsWith(ReservedPrefix, StringComparison.Ordinal):
                    throw Refuse(node, $"The name '{name}' is reserved by the host (names starting with '{ReservedPrefix}' are).");
                case ForInStatement forIn:
                    Walk(edits, forIn.Right, "for-in");
                    break;
                case VariableDeclarator { Id: ObjectPattern pattern, Init: { } init } when HasRest(pattern):
                    guardedRests.Add(pattern);
                    Walk(edits, init, "object rest");
                    break;
                case AssignmentExpression { Left: ObjectPattern pattern, Right: var right } when HasRest(pattern):
                    guardedRests.Add(pattern);
                    Walk(edits, right, "object rest");
                    break;
                case ObjectPattern pattern when HasRest(pattern) && !guardedRests.Contains(pattern):
                    // Nested and array patterns: the value is a part of one, not an expression of the source. Parameters,
                    // catch and loop heads were moved into declarations (JavaScriptRestRewrite).
                    throw Refuse(node, "An object rest ('...') nested in another pattern is not supported (const { a: { ...rest } } = value, [{ ...rest }]): destructure the nested value with a statement of its own (const { ...rest } = value.a).");
                case ObjectExpression obj:
                    foreach (var property in obj.Properties)
                    {
                        if (property is SpreadElement spread)
                        {
                            Walk(edits, spread.Argument, "object spread");
                        }
                    }

                    break;
                case TaggedTemplateExpression { Quasi: var quasi }:
                    tagged.Add(quasi);
                    break;
            }

            JavaScriptConcatGuard.Collect(source, node, edits, tagged, chained);
        }

        return edits.Count == 0 ? null : edits.Apply(source, Prelude);
    }

    private static void Walk(JavaScriptSourceEdits edits, Node walked, string what)
    {
        edits.Open(walked.Range.Start, $"{Name}((");
        edits.Close(walked.Range.End, $"), '{what}')");
    }

    private static FunctionValidationException Refuse(Node node, string message)
    {
        var start = node.Location.Start;
        return new FunctionValidationException(message, start.Line, start.Column + 1);
    }

    private static bool HasRest(ObjectPattern pattern) => pattern.Properties.Any(p => p is RestElement);
}
