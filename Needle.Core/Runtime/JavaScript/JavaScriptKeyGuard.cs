using System.Text;
using Acornima.Ast;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// <c>for (k in x)</c> and <c>{ ...x }</c> build the whole key list of <c>x</c> in one native step, one string per
/// element of a typed array or a string (a 32 MB <c>Uint8Array</c> is about a gigabyte of keys), with no check of the
/// engine's limits until the step is done. They are statements and syntax, not built-ins a guard can replace, so the
/// module's source is rewritten once when the version loads: the walked value goes through <c>__needleKeys</c>
/// (installed by <see cref="JavaScriptAllocationGuards"/>, not writable, not configurable), which refuses one whose key
/// list would pass the memory limit. A module may not name that binding itself, so it cannot shadow it.
/// </summary>
internal static class JavaScriptKeyGuard
{
    /// <summary>The global the rewritten code calls.</summary>
    public const string Name = "__needleKeys";

    /// <summary>
    /// The source with every for-in subject and object-spread argument wrapped, or <see langword="null"/> when there is
    /// none. Insertions stay on their line, so lines are unchanged; columns after one on the same line shift.
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

        return text.ToString();
    }
}
