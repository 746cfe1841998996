using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// <c>JSON.stringify</c> within the call's memory limit. Jint's serializer builds its whole result in one native call,
/// so <c>JSON.stringify(Array(1000).fill('x'.repeat(1e6)))</c> or a huge typed array (one key per element) made
/// gigabytes between two of the engine's checks. Without a replacer function the bounded
/// <see cref="JavaScriptJsonWriter"/> writes it (or, with a key list or an indent, measures it first); a replacer
/// function runs in script, where the engine's limits apply at every step, so the original serves it.
/// </summary>
internal static class JavaScriptJsonGuard
{
    /// <summary>Replaces <c>JSON.stringify</c> in <paramref name="engine"/>; 0 for no limit installs nothing.</summary>
    public static void Install(Engine engine, long memoryLimitBytes)
    {
        if (memoryLimitBytes <= 0 || engine.Global.Get("JSON") is not ObjectInstance json)
        {
            return;
        }

        var original = json.Get("stringify");
        var rangeError = engine.Global.Get("RangeError");
        // A quarter: the writer's buffer grows by doubling, so building n characters allocates about 4n bytes.
        var budget = memoryLimitBytes / 4;
        var guarded = new ClrFunction(engine, "stringify", (self, arguments) =>
        {
            var value = arguments.At(0);
            var replacer = arguments.At(1);
            var space = arguments.At(2);
            if (replacer.IsCallable())
            {
                return engine.Call(original, self, arguments);
            }

            try
            {
                var text = JavaScriptJsonWriter.Serialize(engine, value, budget);
                if ((replacer.IsUndefined() || replacer.IsNull()) && space.IsUndefined())
                {
                    return text is null ? JsValue.Undefined : JsString.Create(text);
                }
            }
            catch (JavaScriptJsonWriter.BudgetExceededException)
            {
                var message = $"JSON.stringify would build more than the function's memory limit of {memoryLimitBytes >> 20} MB allows.";
                throw new JavaScriptException(engine.Construct(rangeError, [JsString.Create(message)]));
            }
            catch (JavaScriptJsonWriter.NotSerializableException)
            {
                // A cycle, a BigInt or a deep nesting: the original fails on it as the standard says (its stack guard
                // turns a nesting too deep for the host's stack into a RangeError).
            }

            return engine.Call(original, self, arguments);
        }, 3);
        json.DefineOwnProperty("stringify", new PropertyDescriptor(guarded, writable: true, enumerable: false, configurable: true));
    }
}
