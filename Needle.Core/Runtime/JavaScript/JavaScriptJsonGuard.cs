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
/// gigabytes between two of the engine's checks. Without a replacer the bounded <see cref="JavaScriptJsonWriter"/>
/// writes it and its answer is final: a cycle or a BigInt is a <c>TypeError</c>, a nesting deeper than
/// <see cref="JavaScriptJsonWriter.MaxDepth"/> a <c>RangeError</c> (the engine's serializer would have walked it again,
/// uncounted, and getters or <c>toJSON</c> may answer a second walk differently). With a replacer function, a key list
/// or an indent the engine's serializer runs, with a replacer in script (the function's, or one that applies the key
/// list), so the engine's limits are checked at every property while the result grows.
/// </summary>
internal static class JavaScriptJsonGuard
{
    // The key list is applied by a replacer function: each object is passed on as a copy holding the listed keys, in
    // the list's order (integer-like keys come first in any object, as in every JavaScript engine's own objects).
    private const string Source = """
        (function () {
          'use strict';
          const defineProperty = Object.defineProperty;
          const isArray = Array.isArray;
          const brands = [Number.prototype.valueOf, String.prototype.valueOf, Boolean.prototype.valueOf, BigInt.prototype.valueOf];
          const boxed = (value) => brands.some((valueOf) => { try { Reflect.apply(valueOf, value, []); return true; } catch { return false; } });
          const keyList = (replacer) => {
            const list = [];
            for (let i = 0; i < replacer.length; i++) {
              const item = replacer[i];
              const key = typeof item === 'string' || typeof item === 'number' || (typeof item === 'object' && item !== null && boxed(item)) ? `${item}` : undefined;
              if (key !== undefined && !list.includes(key)) { list.push(key); }
            }
            return list;
          };
          return (replacer) => {
            if (!isArray(replacer)) { return function (key, value) { return value; }; }
            const list = keyList(replacer);
            return function (key, value) {
              if (value === null || typeof value !== 'object' || isArray(value) || boxed(value)) { return value; }
              const copy = {};
              for (const k of list) { const v = value[k]; if (v !== undefined) { defineProperty(copy, k, { value: v, writable: true, enumerable: true, configurable: true }); } }
              return copy;
            };
          };
        })
        """;

    private static readonly Prepared<Acornima.Ast.Script> Prepared = Engine.PrepareScript(Source, "needle-json-guard.js", strict: true);

    /// <summary>Replaces <c>JSON.stringify</c> in <paramref name="engine"/>; 0 for no limit installs nothing.</summary>
    public static void Install(Engine engine, long memoryLimitBytes)
    {
        if (memoryLimitBytes <= 0 || engine.Global.Get("JSON") is not ObjectInstance json)
        {
            return;
        }

        var original = json.Get("stringify");
        var rangeError = engine.Global.Get("RangeError");
        var typeError = engine.Global.Get("TypeError");
        var replacerFor = engine.Call(engine.Evaluate(Prepared), JsValue.Undefined, []);
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

            if ((replacer.IsUndefined() || replacer.IsNull() || !replacer.IsArray()) && space.IsUndefined())
            {
                try
                {
                    var text = JavaScriptJsonWriter.Serialize(engine, value, budget);
                    return text is null ? JsValue.Undefined : JsString.Create(text);
                }
                catch (JavaScriptJsonWriter.BudgetExceededException)
                {
                    var message = $"JSON.stringify would build more than the function's memory limit of {memoryLimitBytes >> 20} MB allows.";
                    throw new JavaScriptException(engine.Construct(rangeError, [JsString.Create(message)]));
                }
                catch (JavaScriptJsonWriter.NotSerializableException ex)
                {
                    // Too deep maps to the recursion limit, as the engine's own serializer ran out of stack before.
                    var message = ex.TooDeep ? $"Maximum call stack size exceeded: JSON.stringify of a value that {ex.Message}." : $"JSON.stringify cannot serialise the value: {ex.Message}.";
                    throw new JavaScriptException(engine.Construct(ex.TooDeep ? rangeError : typeError, [JsString.Create(message)]));
                }
            }

            return engine.Call(original, self, [value, engine.Call(replacerFor, JsValue.Undefined, [replacer]), space]);
        }, 3);
        json.DefineOwnProperty("stringify", new PropertyDescriptor(guarded, writable: true, enumerable: false, configurable: true));
    }
}
