using System.Text;
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

    private const string Prelude = $"const {Name} = globalThis[Symbol.for('needle.keys')];";

    /// <summary>
    /// The source with every for-in subject, object-spread argument and value destructured with an object rest wrapped,
    /// or <see langword="null"/> when there is none. Insertions stay on their line, so lines are unchanged; columns after
    /// one on the same line (and on the first line, which gets the binding) shift.
    /// Throws <see cref="FunctionValidationException"/> when the module uses the name <see cref="Name"/>.
    /// </summary>
    public static string? Rewrite(string source, Module module)
    {
        var walked = new List<(Node Node, string What)>();
        foreach (var node in module.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case Identifier { Name: Name }:
                    var start = node.Location.Start;
                    throw new FunctionValidationException($"The name '{Name}' is reserved by the host.", start.Line, start.Column + 1);
                case ForInStatement forIn:
                    walked.Add((forIn.Right, "for-in"));
                    break;
                case VariableDeclarator { Id: ObjectPattern pattern, Init: { } init } when HasRest(pattern):
                    walked.Add((init, "object rest"));
                    break;
                case AssignmentExpression { Left: ObjectPattern pattern, Right: var right } when HasRest(pattern):
                    walked.Add((right, "object rest"));
                    break;
                case ObjectExpression obj:
                    foreach (var property in obj.Properties)
                    {
                        if (property is SpreadElement spread)
                        {
                            walked.Add((spread.Argument, "object spread"));
                        }
                    }

                    break;
            }
        }

        if (walked.Count == 0)
        {
            return null;
        }

        // Applied from the end, so an insertion never moves a position still to come (nested ones included).
        var insertions = walked
            .SelectMany(w => new[] { (At: w.Node.Range.End, Text: $"), '{w.What}')"), (At: w.Node.Range.Start, Text: $"{Name}((") })
            .OrderByDescending(i => i.At);
        var text = new StringBuilder(source);
        foreach (var (at, insert) in insertions)
        {
            text.Insert(at, insert);
        }

        // At the start of the first line (of the second after a hashbang, which must stay first), so no line moves.
        var first = source.StartsWith("#!", StringComparison.Ordinal) ? source.IndexOf('\n', StringComparison.Ordinal) + 1 : 0;
        text.Insert(first, Prelude + " ");

        return text.ToString();
    }

    private static bool HasRest(ObjectPattern pattern) => pattern.Properties.Any(p => p is RestElement);
}
