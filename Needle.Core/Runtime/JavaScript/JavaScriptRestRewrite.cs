using Acornima.Ast;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// Object rest in a parameter, a catch parameter or a for-of / for-in head destructures a value that is no expression of
/// the source, so <see cref="JavaScriptKeyGuard"/> cannot wrap it. Such a pattern is moved, at load, into a declaration
/// the guard does wrap: the parameter becomes <c>__needleP0</c> (its default kept), and the body starts, on the same
/// line, with <c>var &lt;pattern&gt; = __needleKeys((__needleP0), 'object rest');</c> (an arrow's expression body becomes
/// <c>{ var …; return (…); }</c>); a catch parameter becomes <c>__needleC0</c> and its block starts with a
/// <c>let</c>; a loop head declares <c>__needleI0</c> and its body becomes a block that starts with the pattern declared
/// as the head declared it. Forms where the move would change what the code means are refused with their position.
/// </summary>
internal static class JavaScriptRestRewrite
{
    /// <summary>Moves the object rest patterns of <paramref name="node"/>'s head, and adds them to <paramref name="guarded"/>.</summary>
    public static void Collect(string source, Node node, JavaScriptSourceEdits edits, ISet<ObjectPattern> guarded)
    {
        switch (node)
        {
            case IFunction function:
                Function(source, node, function, edits, guarded);
                break;
            case CatchClause { Param: ObjectPattern pattern, Body: var body } when HasRest(pattern):
                var name = Fresh(edits, "C");
                var moved = MoveOut(source, pattern, edits, guarded, name);
                edits.Open(body.Range.Start + 1, " let ", moved, $" = {JavaScriptKeyGuard.Name}(({name}), 'object rest');");
                break;
            case ForOfStatement { Left: var left, Body: var body }:
                Loop(source, left, body, edits, guarded);
                break;
            case ForInStatement { Left: var left, Body: var body }:
                Loop(source, left, body, edits, guarded);
                break;
        }
    }

    private static void Function(string source, Node node, IFunction function, JavaScriptSourceEdits edits, ISet<ObjectPattern> guarded)
    {
        var parameters = function.Params;
        var targets = parameters.Where(p => Target(p) is not null).ToList();
        if (targets.Count == 0)
        {
            return;
        }

        if (function.Generator)
        {
            // A generator destructures its parameters when called, its body on the first next(): moving changes when a
            // getter runs or a TypeError is thrown.
            throw Refuse(targets[0], "An object rest ('...') in a generator's parameter is not supported: destructure it in the body with a statement of its own.");
        }

        if (parameters.FirstOrDefault(p => Target(p) is null && HasExpression(p)) is { } other)
        {
            // A default elsewhere is evaluated in the parameters' scope, where the moved names would be missing.
            throw Refuse(targets[0], "An object rest ('...') in a parameter is supported only when the function's other parameters have no defaults: destructure it in the body with a statement of its own.");
        }

        if (targets.Skip(1).FirstOrDefault(p => p is AssignmentPattern) is { } late)
        {
            throw Refuse(late, "An object rest ('...') in a parameter with a default is supported only in the first such parameter: destructure it in the body with a statement of its own.");
        }

        var expression = function.Body is not FunctionBody;
        var declarations = new List<(string Name, int Moved)>();
        foreach (var parameter in targets)
        {
            var pattern = Target(parameter)!;
            if (function.Body is FunctionBody body && FunctionNamed(body, pattern) is { } clash)
            {
                throw Refuse(clash, "A function or var declared in the body has a name that a parameter destructured with an object rest ('...') binds or reads in a default: rename one of them.");
            }

            var name = Fresh(edits, "P");
            declarations.Add((name, MoveOut(source, pattern, edits, guarded, name)));
        }

        // An expression body may be parenthesized, and the parentheses are outside its range but inside the arrow's.
        var at = expression
            ? JavaScriptSourceEdits.Find(source, parameters[^1].Range.End, function.Body.Range.Start, "=>") + 2
            : function.Body.Range.Start + 1;
        for (var i = 0; i < declarations.Count; i++)
        {
            var (name, moved) = declarations[i];
            var open = expression && i == 0 ? "{ var " : " var ";
            var close = expression && i == declarations.Count - 1 ? " return (" : string.Empty;
            edits.Open(at, open, moved, $" = {JavaScriptKeyGuard.Name}(({name}), 'object rest');{close}");
        }

        if (expression)
        {
            edits.Close(node.Range.End, "); }");
        }
    }

    private static void Loop(string source, Node left, Statement body, JavaScriptSourceEdits edits, ISet<ObjectPattern> guarded)
    {
        var (pattern, kind) = left switch
        {
            VariableDeclaration { Declarations: [{ Id: ObjectPattern p }] } declaration when HasRest(p) => (p, declaration.Kind.ToString().ToLowerInvariant()),
            ObjectPattern p when HasRest(p) => (p, null),
            _ => (null, null),
        };
        if (pattern is null)
        {
            return;
        }

        var name = Fresh(edits, "I");
        var moved = MoveOut(source, pattern, edits, guarded, kind is null ? $"const {name}" : name);
        var guardedValue = $"{JavaScriptKeyGuard.Name}(({name}), 'object rest')";
        if (kind is null)
        {
            edits.Open(body.Range.Start, "{ (", moved, $" = {guardedValue}); ");
        }
        else
        {
            edits.Open(body.Range.Start, $"{{ {kind} ", moved, $" = {guardedValue}; ");
        }

        edits.Close(body.Range.End, " }");
    }

    private static int MoveOut(string source, ObjectPattern pattern, JavaScriptSourceEdits edits, ISet<ObjectPattern> guarded, string name)
    {
        var (from, to) = (pattern.Range.Start, pattern.Range.End);
        if (edits.InsideMove(from))
        {
            throw Refuse(pattern, "An object rest ('...') inside the default of a parameter destructured with an object rest is not supported: destructure it in the body with a statement of its own.");
        }

        // The moved text joins the line of the body's start: its line breaks become spaces, which a line comment, a
        // template literal or a line continuation would not survive.
        var text = source.AsSpan(from, to - from);
        if (text.ContainsAny('\n', '\r') && (text.Contains("//", StringComparison.Ordinal) || text.ContainsAny('`', '\\')))
        {
            throw Refuse(pattern, "An object rest ('...') pattern over several lines holding a line comment, a template literal or a backslash is not supported in a parameter, catch or loop head: write it on one line or destructure it with a statement of its own.");
        }

        guarded.Add(pattern);
        return edits.Move(from, to, name);
    }

    private static ObjectPattern? Target(Node parameter) => parameter switch
    {
        ObjectPattern pattern when HasRest(pattern) => pattern,
        AssignmentPattern { Left: ObjectPattern pattern } when HasRest(pattern) => pattern,
        _ => null,
    };

    private static bool HasExpression(Node parameter) =>
        parameter.DescendantNodesAndSelf().Any(n => n is AssignmentPattern or Property { Computed: true });

    // The body's functions and vars are hoisted over the moved declaration: one named like a binding of the pattern
    // would be overwritten by it, one named like a name a default of the pattern reads would now be what it reads.
    private static Node? FunctionNamed(FunctionBody body, ObjectPattern pattern)
    {
        var bound = pattern.DescendantNodesAndSelf().OfType<Identifier>().Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var read = pattern.DescendantNodesAndSelf()
            .SelectMany(n => n switch
            {
                AssignmentPattern { Right: var right } => right.DescendantNodesAndSelf(),
                Property { Computed: true, Key: var key } => key.DescendantNodesAndSelf(),
                _ => [],
            })
            .OfType<Identifier>()
            .Select(i => i.Name)
            .ToHashSet(StringComparer.Ordinal);
        if (body.Body.OfType<FunctionDeclaration>().FirstOrDefault(f => f.Id is { } id && (bound.Contains(id.Name) || read.Contains(id.Name))) is { } function)
        {
            return function;
        }

        return read.Count == 0 ? null : Vars(body).FirstOrDefault(v => read.Contains(v.Name));
    }

    private static IEnumerable<Identifier> Vars(Node node)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IFunction)
            {
                continue;
            }

            var declared = child is VariableDeclaration { Kind: VariableDeclarationKind.Var } declaration
                ? declaration.Declarations.SelectMany(d => d.Id.DescendantNodesAndSelf().OfType<Identifier>())
                : [];
            foreach (var identifier in declared.Concat(Vars(child)))
            {
                yield return identifier;
            }
        }
    }

    private static string Fresh(JavaScriptSourceEdits edits, string kind) => $"{JavaScriptKeyGuard.ReservedPrefix}{kind}{edits.Count}";

    private static bool HasRest(ObjectPattern pattern) => pattern.Properties.Any(p => p is RestElement);

    private static FunctionValidationException Refuse(Node node, string message)
    {
        var start = node.Location.Start;
        return new FunctionValidationException(message, start.Line, start.Column + 1);
    }
}
