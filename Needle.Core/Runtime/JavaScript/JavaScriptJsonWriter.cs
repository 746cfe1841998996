using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// <c>JSON.stringify</c> (without replacer or indent) for the host's own conversions of function values: the response
/// body and log arguments. Unlike the engine's serializer it works within a budget: every array element, every
/// property visited and every character written costs one unit, and an array's <c>length</c> is checked against
/// what is left before the loop starts. A function chooses those lengths for free (<c>a.length = 2 ** 32 - 1</c>, a
/// proxy's <c>length</c>), and the engine's limits are not checked inside a host loop, so without the budget the
/// host thread would run on long after the watchdog answered.
/// </summary>
internal sealed class JavaScriptJsonWriter
{
    /// <summary>How deep values may nest; deeper fails like a cycle, before the host stack is at risk.</summary>
    public const int MaxDepth = 256;

    private readonly Engine _engine;
    private readonly JavaScriptJsonBuffer _builder = new();
    private readonly List<ObjectInstance> _stack = [];
    private long _budget;

    private JavaScriptJsonWriter(Engine engine, long budget)
    {
        _engine = engine;
        _budget = budget;
    }

    /// <summary>
    /// Serialises <paramref name="value"/>; <see langword="null"/> when it has no JSON form (a function, a symbol,
    /// <c>undefined</c>). Throws <see cref="BudgetExceededException"/> past <paramref name="budget"/> units and
    /// <see cref="NotSerializableException"/> for a cycle, a BigInt or too deep a nesting. What getters and
    /// <c>toJSON</c> throw propagates.
    /// </summary>
    public static string? Serialize(Engine engine, JsValue value, long budget)
    {
        var writer = new JavaScriptJsonWriter(engine, budget);
        using var buffer = writer._builder;
        return writer.WriteProperty(JsString.Empty, value) ? buffer.ToString() : null;
    }

    /// <summary>
    /// As <see cref="Serialize"/>, but as UTF-8 in an array rented from the shared pool (the caller returns it) with
    /// <paramref name="length"/> bytes written; <see langword="null"/> when the value has no JSON form.
    /// </summary>
    public static byte[]? SerializeUtf8(Engine engine, JsValue value, long budget, out int length)
    {
        var writer = new JavaScriptJsonWriter(engine, budget);
        using var buffer = writer._builder;
        length = 0;
        return writer.WriteProperty(JsString.Empty, value) ? buffer.Detach(out length) : null;
    }

    /// <summary>As <see cref="Serialize"/>, but past the budget returns what was written so far with <c>…</c> appended.</summary>
    public static string? SerializeTruncated(Engine engine, JsValue value, long budget)
    {
        var writer = new JavaScriptJsonWriter(engine, budget);
        using var buffer = writer._builder;
        try
        {
            return writer.WriteProperty(JsString.Empty, value) ? buffer.ToString() : null;
        }
        catch (BudgetExceededException)
        {
            return writer._builder.Append('…').ToString();
        }
    }

    private bool WriteProperty(JsValue key, JsValue value)
    {
        Spend(1);
        if (value is ObjectInstance withToJson && withToJson.Get("toJSON") is ObjectInstance toJson && toJson.IsCallable())
        {
            value = _engine.Invoke(toJson, withToJson, [key]);
        }

        if (value is ObjectInstance boxed && !boxed.IsCallable() && !boxed.IsArray())
        {
            // Number, String and Boolean objects serialise as their primitive value. Jint keeps the classes that hold
            // those slots internal, so they are known by name.
            var className = boxed.GetType().Name;
            if (className == "NumberInstance")
            {
                value = TypeConverter.ToNumber(boxed);
            }
            else if (className == "StringInstance")
            {
                value = TypeConverter.ToString(boxed);
            }
            else if (className == "BooleanInstance")
            {
                value = TypeConverter.ToPrimitive(boxed);
            }
            else if (className == "BigIntInstance")
            {
                throw new NotSerializableException("a BigInt has no JSON form");
            }
        }

        switch (value.Type)
        {
            case Types.Null:
                Append("null");
                return true;
            case Types.Boolean:
                Append(value.AsBoolean() ? "true" : "false");
                return true;
            case Types.String:
                Quote(value.ToString());
                return true;
            case Types.Number:
                var number = value.AsNumber();
                Append(double.IsFinite(number) ? TypeConverter.ToString(value) : "null");
                return true;
            case Types.BigInt:
                throw new NotSerializableException("a BigInt has no JSON form");
        }

        if (value is not ObjectInstance obj || obj.IsCallable())
        {
            return false;
        }

        Enter(obj);
        if (obj.IsArray())
        {
            WriteArray(obj);
        }
        else
        {
            WriteObject(obj);
        }

        _stack.RemoveAt(_stack.Count - 1);
        return true;
    }

    private void WriteArray(ObjectInstance array)
    {
        var length = TypeConverter.ToNumber(array.Get("length"));
        if (!(length <= _budget))
        {
            throw new BudgetExceededException();
        }

        Append("[");
        for (uint i = 0; i < (uint)length; i++)
        {
            if (i > 0)
            {
                Append(",");
            }

            if (!WriteProperty(JsNumber.Create(i), array.Get(i)))
            {
                Append("null");
            }
        }

        Append("]");
    }

    private void WriteObject(ObjectInstance obj)
    {
        // A typed array or a String object has one key per element: paid for before the host builds the key list.
        if (obj is JsTypedArray || obj.GetType().Name == "StringInstance")
        {
            Spend((long)TypeConverter.ToNumber(obj.Get("length")));
        }

        var keys = obj.GetOwnPropertyKeys(Types.String);
        Spend(keys.Count);
        Append("{");
        var first = true;
        foreach (var key in keys)
        {
            if (!obj.GetOwnProperty(key).Enumerable)
            {
                continue;
            }

            var mark = _builder.Length;
            if (!first)
            {
                Append(",");
            }

            Quote(key.ToString());
            Append(":");
            if (WriteProperty(key, obj.Get(key)))
            {
                first = false;
            }
            else
            {
                // undefined, functions and symbols leave their property out.
                _builder.Length = mark;
            }
        }

        Append("}");
    }

    private void Enter(ObjectInstance obj)
    {
        if (_stack.Count >= MaxDepth)
        {
            throw new NotSerializableException(string.Create(CultureInfo.InvariantCulture, $"it nests deeper than {MaxDepth} levels"), tooDeep: true);
        }

        foreach (var open in _stack)
        {
            if (ReferenceEquals(open, obj))
            {
                throw new NotSerializableException("it is cyclic");
            }
        }

        _stack.Add(obj);
    }

    private void Quote(string text)
    {
        Spend(text.Length + 2);
        _builder.Append('"');

        // Runs of characters that need no escape are copied (and encoded) at once; a run never splits a surrogate pair.
        var run = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c >= ' ' && c != '"' && c != '\\' && (!char.IsSurrogate(c) || IsPaired(text, i)))
            {
                continue;
            }

            _builder.Append(text.AsSpan(run, i - run));
            run = i + 1;
            switch (c)
            {
                case '"': _builder.Append("\\\""); break;
                case '\\': _builder.Append("\\\\"); break;
                case '\b': _builder.Append("\\b"); break;
                case '\f': _builder.Append("\\f"); break;
                case '\n': _builder.Append("\\n"); break;
                case '\r': _builder.Append("\\r"); break;
                case '\t': _builder.Append("\\t"); break;
                default:
                    _builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
            }
        }

        _builder.Append(text.AsSpan(run));
        _builder.Append('"');
    }

    private static bool IsPaired(string text, int i) =>
        char.IsHighSurrogate(text[i])
            ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
            : i > 0 && char.IsHighSurrogate(text[i - 1]);

    private void Append(string text)
    {
        Spend(text.Length);
        _builder.Append(text);
    }

    private void Spend(long units)
    {
        _budget -= units;
        if (_budget < 0)
        {
            throw new BudgetExceededException();
        }
    }

    /// <summary>The value needs more than the budget.</summary>
    internal sealed class BudgetExceededException : Exception
    {
    }

    /// <summary>The value has no JSON form; the message says why.</summary>
    internal sealed class NotSerializableException(string message, bool tooDeep = false) : Exception(message)
    {
        /// <summary>Whether the value nests deeper than <see cref="MaxDepth"/> (a cycle or a BigInt otherwise).</summary>
        public bool TooDeep { get; } = tooDeep;
    }
}
