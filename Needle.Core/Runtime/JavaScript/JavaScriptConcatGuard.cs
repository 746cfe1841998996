using Acornima;
using Acornima.Ast;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// String concatenation within the call's memory limit. Jint checks its limits between statements, and one expression
/// can hold any number of concatenations: <c>`${s}${s}…`</c> with thousands of substitutions, <c>s + s + …</c>,
/// <c>[s + s, s + s, …]</c>, or <c>(t += t, t += t, …)</c>, which doubles a string in every step. Each <c>+</c>,
/// <c>+=</c> and template literal is rewritten (<see cref="JavaScriptKeyGuard"/>) into a call of a guard that the
/// allocation guards install (host functions, <see cref="JavaScriptConcatFunctions"/>): the size is counted before the
/// string is built, and the guard runs the engine's checks, so what one expression builds counts against the call's
/// limit step by step. A chain of literals stays as it is, and so does a chain whose operands are numbers whatever the
/// values are (numeric literals, results of <c>-</c>, <c>*</c>, <c>++</c> ...): it cannot make a string. A template of
/// one substitution is one call. The operands of a chain are all evaluated before the first is converted
/// (<c>a + b + c</c> converts <c>a</c> and <c>b</c> after evaluating <c>c</c>): only a <c>valueOf</c> that watches the
/// later operands can tell.
/// </summary>
internal static class JavaScriptConcatGuard
{
    public const string Add = "__needleAdd";
    public const string AddAll = "__needleAddAll";
    public const string AddTo = "__needleAddTo";
    public const string Cat = "__needleCat";
    public const string Cat1 = "__needleCat1";
    public const string Str = "__needleStr";

    /// <summary>Records the rewrite of <paramref name="node"/>, if it concatenates.</summary>
    public static void Collect(string source, Node node, JavaScriptSourceEdits edits, ISet<TemplateLiteral> tagged, ISet<Node> chained)
    {
        switch (node)
        {
            case NonLogicalBinaryExpression { Operator: Operator.Addition } binary when !chained.Contains(binary):
                // A left-leaning chain (a + b + c) is one call, add(a, b, c): as deep as any call, whatever its length.
                var operands = new List<Expression>();
                Expression spine = binary;
                while (spine is NonLogicalBinaryExpression { Operator: Operator.Addition } link)
                {
                    chained.Add(link);
                    operands.Add(link.Right);
                    spine = link.Left;

                    // A parenthesised left operand, (a + b) + c, is a chain of its own: its '+' must not become a comma.
                    if (spine.Range.Start != link.Range.Start)
                    {
                        break;
                    }
                }

                operands.Add(spine);
                operands.Reverse();
                // Literals only, or numbers only: nothing that grows (a chain of numbers can only make a number).
                if (operands.TrueForAll(o => o is Literal) || operands.TrueForAll(IsNumeric))
                {
                    return;
                }

                edits.Open(binary.Range.Start, (operands.Count == 2 ? Add : AddAll) + "(");
                for (var i = 1; i < operands.Count; i++)
                {
                    var plus = JavaScriptSourceEdits.Find(source, operands[i - 1].Range.End, operands[i].Range.Start, "+");
                    edits.Replace(plus, 1, ",");
                }

                edits.Close(binary.Range.End, ")");
                break;
            case AssignmentExpression { Operator: Operator.AdditionAssignment } assignment:
                CollectAssignment(source, assignment, edits);
                break;
            case TemplateLiteral { Expressions.Count: 1 } template when !tagged.Contains(template):
                // One substitution: nothing runs between it and its conversion, so cat1 converts it (one call, not two).
                edits.Open(template.Range.Start, Cat1 + "(");
                edits.Replace(template.Quasis[0].Range.End, 2, "`, ");
                edits.Replace(template.Quasis[1].Range.Start - 1, 1, ", `");
                edits.Close(template.Range.End, ")");
                break;
            case TemplateLiteral template when template.Expressions.Count > 0 && !tagged.Contains(template):
                edits.Open(template.Range.Start, Cat + "(");
                for (var i = 0; i < template.Expressions.Count; i++)
                {
                    edits.Replace(template.Quasis[i].Range.End, 2, $"`, {Str}(");
                    edits.Replace(template.Quasis[i + 1].Range.Start - 1, 1, "), `");
                }

                edits.Close(template.Range.End, ")");
                break;
        }
    }

    /// <summary>
    /// Whether <paramref name="expression"/> is a number (or a BigInt) whatever its operands are at run time: a numeric
    /// literal, or the result of an arithmetic operator other than <c>+</c>, of <c>++</c>/<c>--</c>, or of a <c>+</c> of two such.
    /// </summary>
    private static bool IsNumeric(Expression expression) => expression switch
    {
        NumericLiteral or BigIntLiteral or UpdateExpression => true,
        NonUpdateUnaryExpression { Operator: Operator.UnaryNegation or Operator.UnaryPlus or Operator.BitwiseNot } => true,
        NonLogicalBinaryExpression { Operator: Operator.Addition } sum => IsNumeric(sum.Left) && IsNumeric(sum.Right),
        NonLogicalBinaryExpression
        {
            Operator: Operator.Subtraction or Operator.Multiplication or Operator.Division or Operator.Remainder
                or Operator.Exponentiation or Operator.BitwiseAnd or Operator.BitwiseOr or Operator.BitwiseXor
                or Operator.LeftShift or Operator.RightShift or Operator.UnsignedRightShift,
        } => true,
        _ => false,
    };

    private static void CollectAssignment(string source, AssignmentExpression assignment, JavaScriptSourceEdits edits)
    {
        var target = assignment.Left;
        var value = assignment.Right;
        var op = JavaScriptSourceEdits.Find(source, target.Range.End, value.Range.Start, "+=");
        if (op < 0)
        {
            return;
        }

        switch (target)
        {
            // Targets whose evaluation has no side effects are read once more: t = add(t, v), this.#p = add(this.#p, v).
            case Identifier:
            case MemberExpression { Computed: false, Object: Identifier or ThisExpression }:
                var read = source[target.Range.Start..target.Range.End];
                edits.Replace(op, 2, $"= {Add}({read},");
                edits.Close(value.Range.End, ")");
                break;
            case MemberExpression { Object: not Super, Property: not PrivateIdentifier } member:
                // o[k()] += v becomes addTo(o, k(), v): the object and the key are evaluated once.
                edits.Open(target.Range.Start, AddTo + "(");
                if (member.Computed)
                {
                    edits.Replace(JavaScriptSourceEdits.Find(source, member.Object.Range.End, member.Property.Range.Start, "["), 1, ",");
                    edits.Replace(JavaScriptSourceEdits.Find(source, member.Property.Range.End, op, "]"), 1, "");
                }
                else
                {
                    edits.Replace(JavaScriptSourceEdits.Find(source, member.Object.Range.End, member.Property.Range.Start, "."), 1, ", '");
                    edits.Close(member.Property.Range.End, "'");
                }

                edits.Replace(op, 2, ",");
                edits.Close(value.Range.End, ")");
                break;
            default:
                var start = assignment.Location.Start;
                throw new FunctionValidationException(
                    "'+=' on a super property or on a private field of an object other than 'this' is not supported: write 'x.#p = x.#p + value'.",
                    start.Line,
                    start.Column + 1);
        }
    }
}
