using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Native.Error;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The calls a rewritten module makes for <c>+</c>, <c>+=</c> and template literals (<see cref="JavaScriptConcatGuard"/>),
/// as host functions: guards in script cost a CPU-bound function about 30 % (a call, its arguments and its statements
/// for every template literal). Primitive operands are handled here, without script. Two numbers are added and nothing
/// is checked (a number cannot grow). A string result is measured before it is built: over the memory limit on its own
/// it is a <c>RangeError</c>, as before; over what is left of the call's budget it is the memory limit (what the
/// engine's next check would report, reported before the string exists); then the engine's checks run once (memory,
/// time, statements), as a statement of the guard in script ran them. Anything else (an object, whose conversion may
/// run the function's own <c>valueOf</c>; a symbol; two BigInts) goes to the guard in script
/// (<see cref="JavaScriptAllocationGuards"/>), unchanged. Long results are built by Jint's own <c>+</c>, which defers
/// long concatenations, so appending to a long string in a loop costs what it costs without the guard.
/// </summary>
internal sealed class JavaScriptConcatFunctions
{
    // Up to this many characters a result is copied here; past it, Jint's + builds it (deferred, without copying).
    private const int CopiedHere = 256;

    // Jint's own ceiling on a string's length is lower than .NET's; past this, the script's + reports it as Jint does.
    private const long LongestBuiltHere = int.MaxValue / 2;

    private readonly Engine _engine;
    private readonly JavaScriptMemoryConstraint _memory;
    private readonly long _limit;
    private readonly ErrorConstructor _rangeError;
    private JsValue _measured = JsValue.Undefined;
    private JsValue _str = JsValue.Undefined;
    private JsValue _plus = JsValue.Undefined;

    public JavaScriptConcatFunctions(Engine engine, long limitBytes)
    {
        _engine = engine;
        _limit = limitBytes;
        _memory = engine.Constraints.Find<JavaScriptMemoryConstraint>()!;

        // Taken before the module runs, which may rebind the global.
        _rangeError = (ErrorConstructor)engine.Global.Get("RangeError");
    }

    /// <summary>The functions the install script publishes for the rewritten module: add, addAll, cat, cat1, str.</summary>
    public JsObject Create()
    {
        var functions = new JsObject(_engine);
        functions.FastSetDataProperty("add", new ClrFunction(_engine, "add", (_, a) => Add(At(a, 0), At(a, 1)), 2));
        functions.FastSetDataProperty("addAll", new ClrFunction(_engine, "addAll", (_, a) => AddAll(a)));
        functions.FastSetDataProperty("cat", new ClrFunction(_engine, "cat", (_, a) => Cat(a)));
        functions.FastSetDataProperty("cat1", new ClrFunction(_engine, "cat1", (_, a) => Cat1(At(a, 0), At(a, 1), At(a, 2)), 3));
        functions.FastSetDataProperty("str", new ClrFunction(_engine, "str", (_, a) => Str(At(a, 0)), 1));
        return functions;
    }

    /// <summary>Takes the script's guards for the operands handled in script: <c>measured</c>, <c>str</c> and a bare <c>plus</c>.</summary>
    public void UseScriptGuards(JsValue helpers)
    {
        _measured = helpers.Get("measured");
        _str = helpers.Get("str");
        _plus = helpers.Get("plus");
    }

    private static JsValue At(JsValue[] arguments, int index) => index < arguments.Length ? arguments[index] : JsValue.Undefined;

    // Primitives whose conversion to a string runs no script and cannot throw.
    private static bool IsPlain(JsValue value) =>
        value is JsString or JsNumber || value.IsBoolean() || value.IsNull() || value.IsUndefined() || value.IsBigInt();

    private JsValue Add(JsValue a, JsValue b)
    {
        if (a is JsNumber && b is JsNumber)
        {
            return JsNumber.Create(a.AsNumber() + b.AsNumber());
        }

        if ((a is JsString || b is JsString) && IsPlain(a) && IsPlain(b))
        {
            var left = a as JsString;
            var right = b as JsString;
            var leftText = left is null ? TypeConverter.ToString(a) : null;
            var rightText = right is null ? TypeConverter.ToString(b) : null;
            var length = (long)(left?.Length ?? leftText!.Length) + (right?.Length ?? rightText!.Length);
            Reserve(length);
            return length <= CopiedHere
                ? JsString.Create(string.Concat(leftText ?? left!.ToString(), rightText ?? right!.ToString()))
                : _engine.Call(_plus, JsValue.Undefined, [a, b]);
        }

        return _engine.Call(_measured, JsValue.Undefined, [a, b]);
    }

    // The operands were all evaluated before the call, as the rewrite documents; they are added left to right.
    private JsValue AddAll(JsValue[] operands)
    {
        var result = At(operands, 0);
        for (var i = 1; i < operands.Length; i++)
        {
            result = Add(result, operands[i]);
        }

        return result;
    }

    // A template literal's parts: its literal strings and its substitutions, each already converted by str.
    private JsValue Cat(JsValue[] parts)
    {
        if (!Array.TrueForAll(parts, static p => p is JsString))
        {
            // The rewrite passes only strings; anything else is converted as a template would.
            parts = Array.ConvertAll(parts, Str);
        }

        long length = 0;
        foreach (var part in parts)
        {
            length += ((JsString)part).Length;
        }

        Reserve(length);
        return JsString.Create(string.Create((int)length, parts, static (span, parts) =>
        {
            foreach (var part in parts)
            {
                var text = part.ToString();
                text.CopyTo(span);
                span = span[text.Length..];
            }
        }));
    }

    // A template literal of one substitution: nothing is evaluated between the substitution and its conversion.
    private JsValue Cat1(JsValue head, JsValue value, JsValue tail) => Cat([head, Str(value), tail]);

    private JsValue Str(JsValue value) => value switch
    {
        JsString => value,
        _ when IsPlain(value) => JsString.Create(TypeConverter.ToString(value)),
        _ => _engine.Call(_str, JsValue.Undefined, [value]),
    };

    /// <summary>
    /// Refuses, before it is built, a string of <paramref name="chars"/> characters over the memory limit on its own (a
    /// <c>RangeError</c>, as the guard in script throws) or over what is left of the call's budget (the memory limit, as
    /// the engine's next check would report it); then runs the engine's checks, as a statement does.
    /// </summary>
    private void Reserve(long chars)
    {
        var bytes = chars * 2;
        if (bytes > _limit)
        {
            throw new JavaScriptException(
                _rangeError,
                string.Create(CultureInfo.InvariantCulture, $"String concatenation would allocate about {Megabytes(bytes)} MB, over the function's memory limit of {Megabytes(_limit)} MB."));
        }

        if (chars > LongestBuiltHere)
        {
            throw new JavaScriptException(_rangeError, "Invalid string length");
        }

        var used = _memory.Used;
        if (bytes > _limit - used)
        {
            throw new MemoryLimitExceededException(
                string.Create(CultureInfo.InvariantCulture, $"Script has allocated {used} and a concatenation would add {bytes}, but is limited to {_limit}"));
        }

        _engine.Constraints.Check();
    }

    private static long Megabytes(long bytes) => (long)Math.Round(bytes / 1048576.0, MidpointRounding.AwayFromZero);
}
