using Jint;
using Jint.Native;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// Jint checks its memory limit between statements, so one built-in call can allocate far past it before the check
/// runs: <c>'x'.repeat(2**28)</c> builds a 512 MB string, <c>new Uint8Array(2**30)</c> a 1 GB buffer. These guards
/// refuse such calls up front with a <c>RangeError</c>, so a single statement cannot put the host under memory pressure.
/// Installed in every engine before the function's module runs; the module cannot reach the originals.
/// </summary>
internal static class JavaScriptAllocationGuards
{
    private const string Source = """
        (function (limit) {
          'use strict';
          const apply = Reflect.apply;
          const construct = Reflect.construct;
          const tooLarge = (what, bytes) => new RangeError(`${what} would allocate about ${Math.round(bytes / 1048576)} MB, over the function's memory limit of ${Math.round(limit / 1048576)} MB.`);
          const guardString = (name, size) => {
            const original = String.prototype[name];
            Object.defineProperty(String.prototype, name, {
              value: { [name](...args) { const bytes = size(String(this), args) * 2; if (bytes > limit) { throw tooLarge(`String.prototype.${name}`, bytes); } return apply(original, this, args); } }[name],
              writable: true, configurable: true, enumerable: false,
            });
          };
          guardString('repeat', (s, [count]) => s.length * Number(count));
          guardString('padStart', (s, [length]) => Number(length));
          guardString('padEnd', (s, [length]) => Number(length));
          const guardConstructor = (name, bytesOf) => {
            const original = globalThis[name];
            const guarded = new Proxy(original, {
              construct(target, args, newTarget) {
                const bytes = bytesOf(args);
                if (bytes > limit) { throw tooLarge(name, bytes); }
                return construct(target, args, newTarget === guarded ? target : newTarget);
              },
            });
            Object.defineProperty(globalThis, name, { value: guarded, writable: true, configurable: true, enumerable: false });
          };
          const bufferBytes = ([length, options]) => Math.max(Number(length) || 0, Number(options?.maxByteLength) || 0);
          guardConstructor('ArrayBuffer', bufferBytes);
          for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array']) {
            const type = globalThis[name];
            if (type) { guardConstructor(name, ([length]) => typeof length === 'number' ? length * type.BYTES_PER_ELEMENT : 0); }
          }
          const guardArray = (name) => {
            const original = globalThis[name];
            const guarded = new Proxy(original, {
              apply(target, self, args) { if (args.length === 1 && typeof args[0] === 'number' && args[0] * 8 > limit) { throw tooLarge(name, args[0] * 8); } return apply(target, self, args); },
              construct(target, args, newTarget) { if (args.length === 1 && typeof args[0] === 'number' && args[0] * 8 > limit) { throw tooLarge(name, args[0] * 8); } return construct(target, args, newTarget === guarded ? target : newTarget); },
            });
            Object.defineProperty(globalThis, name, { value: guarded, writable: true, configurable: true, enumerable: false });
          };
          guardArray('Array');
        })
        """;

    private static readonly Prepared<Acornima.Ast.Script> Prepared = Engine.PrepareScript(Source, "needle-guards.js", strict: true);

    public static void Install(Engine engine, long memoryLimitBytes)
    {
        if (memoryLimitBytes <= 0)
        {
            return;
        }

        var install = engine.Evaluate(Prepared);
        engine.Call(install, JsValue.Undefined, [JsNumber.Create((double)memoryLimitBytes)]);
    }
}
