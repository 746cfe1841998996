using Jint;
using Jint.Native;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// Jint checks its memory limit between statements, so one built-in call can allocate far past it before the check
/// runs: <c>'x'.repeat(2**28)</c> builds a 512 MB string, <c>new Uint8Array(2**30)</c> a 1 GB buffer. These guards
/// refuse such calls up front with a <c>RangeError</c>, so a single statement cannot put the host under memory pressure.
/// Installed in every engine before the function's module runs; the module cannot reach the originals. The string
/// builders are guarded by <see cref="JavaScriptStringGuards"/>, <c>JSON.stringify</c> by <see cref="JavaScriptJsonGuard"/>.
/// </summary>
internal static class JavaScriptAllocationGuards
{
    private const string Source = """
        (function (limit, host) {
          'use strict';
          // The globals the guards call are taken now: a function may rebind String, Number, Object or Math's methods.
          const { String, Number, Object } = globalThis;
          const Math = Object.freeze({ min: globalThis.Math.min, max: globalThis.Math.max, trunc: globalThis.Math.trunc, round: globalThis.Math.round });
          const apply = Reflect.apply;
          const construct = Reflect.construct;
          const defineProperty = Object.defineProperty;
          const getPrototypeOf = Object.getPrototypeOf;
          const isArray = Array.isArray;
          const isView = ArrayBuffer.isView;
          const iterator = Symbol.iterator;
          const OriginalArrayBuffer = ArrayBuffer;
          const typedArrayLength = Object.getOwnPropertyDescriptor(getPrototypeOf(Uint8Array.prototype), 'length').get;
          const bufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
          const isBuffer = (value) => { try { apply(bufferByteLength, value, []); return true; } catch { return false; } };
          const push = (list, value) => { list[list.length] = value; };
          const tooLarge = (what, bytes) => new RangeError(`${what} would allocate about ${Math.round(bytes / 1048576)} MB, over the function's memory limit of ${Math.round(limit / 1048576)} MB.`);
          const check = (what, bytes) => { if (bytes > limit) { throw tooLarge(what, bytes); } };
          const hide = (target, name, value) => defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });

          // A constructor is reachable as the global, as prototype.constructor, and (for the ArrayBuffer) as
          // buffer.constructor: the guarded one replaces the original in every place, so only it can be reached.
          const guardConstructor = (name, guard, call = apply) => {
            const original = globalThis[name];
            const guarded = new Proxy(original, {
              apply(target, self, args) { return call(target, self, args); },
              construct(target, args, newTarget) { return guard(target, args, newTarget === guarded ? target : newTarget); },
            });
            hide(globalThis, name, guarded);
            hide(original.prototype, 'constructor', guarded);
            return guarded;
          };

          // Lengths are converted once, here, and the original gets the numbers: a valueOf cannot answer the
          // check with one size and the constructor with another.
          guardConstructor('ArrayBuffer', (target, [length, options], newTarget) => {
            const bytes = Number(length) || 0;
            let max;
            if (options !== null && typeof options === 'object') {
              const given = options.maxByteLength;
              if (given !== undefined) { max = Number(given) || 0; }
            }
            check('ArrayBuffer', Math.max(bytes, max ?? 0));
            return construct(target, max === undefined ? [bytes] : [bytes, { maxByteLength: max }], newTarget);
          });
          for (const name of ['transfer', 'transferToFixedLength']) {
            const original = OriginalArrayBuffer.prototype[name];
            if (!original) { continue; }
            hide(OriginalArrayBuffer.prototype, name, { [name](...args) {
              if (args[0] === undefined) { return apply(original, this, args); }
              const bytes = Number(args[0]) || 0;
              check(`ArrayBuffer.prototype.${name}`, bytes);
              return apply(original, this, [bytes]);
            } }[name]);
          }

          for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array']) {
            const type = globalThis[name];
            if (!type) { continue; }
            const size = type.BYTES_PER_ELEMENT;
            guardConstructor(name, (target, args, newTarget) => {
              const [source] = args;
              if (source === null || (typeof source !== 'object' && typeof source !== 'function')) {
                const length = source === undefined ? 0 : Number(source);
                check(name, length * size);
                return construct(target, [length], newTarget);
              }

              if (isBuffer(source)) {
                return construct(target, args, newTarget);
              }

              if (typedLengthOf(source) >= 0) {
                check(name, typedLengthOf(source) * size);
                return construct(target, [source], newTarget);
              }

              // An iterable or an array-like: its values are copied here, in script, so every step is counted and
              // the size is known before the array is made. The original never walks a script-chosen length.
              let values = source;
              const method = source[iterator];
              if (method !== undefined && method !== null) {
                values = [];
                for (const value of { [iterator]: () => apply(method, source, []) }) { push(values, value); }
              }

              const length = isArray(values) ? values.length : Math.min(Math.max(Math.trunc(Number(values.length)) || 0, 0), 2 ** 53 - 1);
              check(name, length * size);
              const result = construct(target, [length], newTarget);
              for (let i = 0; i < length; i++) { result[i] = values[i]; }
              return result;
            });
          }

          // The keys of a typed array or a string are one string each: Object.keys of a 32 MB Uint8Array is about a
          // gigabyte. for-in and object spread reach the same key list through the module's rewritten code, which
          // calls keys(value, what) on what they walk (JavaScriptKeyGuard).
          // Brand checks, not instanceof: a function can give a typed array DataView.prototype, or a String object none.
          const stringValueOf = String.prototype.valueOf;
          const typedLengthOf = (value) => { try { return apply(typedArrayLength, value, []); } catch { return -1; } };
          const keyCount = (value) => {
            if (typeof value === 'string') { return value.length; }
            if (value === null || (typeof value !== 'object' && typeof value !== 'function')) { return 0; }
            const typed = typedLengthOf(value);
            if (typed >= 0) { return typed; }
            try { return apply(stringValueOf, value, []).length; } catch { return 0; }
          };
          const keys = (value, what) => { check(what, keyCount(value) * 48); return value; };

          // +, += and template literals, as the rewritten module calls them (JavaScriptConcatGuard). The host's functions
          // (JavaScriptConcatFunctions) take primitive operands and call these for the rest: two strings are measured
          // before they are joined; other operands are converted by + itself, and the result measured.
          const chars = limit / 2;
          const concatenated = (length) => { if (length > chars) { throw tooLarge('String concatenation', length * 2); } };
          // Numbers take no statement of their own beyond the call: a loop's i + 1 stays cheap against MaxStatements.
          const measured = (a, b) => {
            if (typeof a === 'string' && typeof b === 'string') { concatenated(a.length + b.length); return a + b; }
            const r = a + b;
            if (typeof r === 'string') { concatenated(r.length); }
            return r;
          };
          const { add, addAll, cat, cat1 } = host;
          const addTo = (target, key, value) => { const k = typeof key === 'symbol' ? key : `${key}`; const r = add(target[k], value); target[k] = r; return r; };
          const str = (value) => `${value}`;
          const plus = (a, b) => a + b;
          // Symbol-keyed, so the global object's names stay the standard ones; the rewritten module binds them first.
          defineProperty(globalThis, Symbol.for('needle.keys'), { value: Object.freeze({ keys, add, addAll, addTo, cat, cat1, str: host.str }), writable: false, enumerable: false, configurable: false });
          const keyLists = [[Object, 'keys'], [Object, 'values'], [Object, 'entries'], [Object, 'getOwnPropertyNames'], [Reflect, 'ownKeys']];
          for (const [owner, name] of keyLists) {
            const original = owner[name];
            hide(owner, name, { [name](target) {
              keys(target, `${owner === Reflect ? 'Reflect' : 'Object'}.${name}`);
              return apply(original, owner, [target]);
            } }[name]);
          }

          const assign = Object.assign;
          hide(Object, 'assign', { assign(target, ...sources) {
            for (const source of sources) { keys(source, 'Object.assign'); }
            return apply(assign, Object, [target, ...sources]);
          } }.assign);

          const arrayCheck = (args) => { if (args.length === 1 && typeof args[0] === 'number') { check('Array', args[0] * 8); } };
          guardConstructor('Array',
            (target, args, newTarget) => { arrayCheck(args); return construct(target, args, newTarget); },
            (target, self, args) => { arrayCheck(args); return apply(target, self, args); });

          return { apply, check, hide, measured, str, plus };
        })
        """;

    private static readonly Prepared<Acornima.Ast.Script> Prepared = Engine.PrepareScript(Source, "needle-guards.js", strict: true);

    public static void Install(Engine engine, long memoryLimitBytes)
    {
        if (memoryLimitBytes <= 0)
        {
            return;
        }

        var limit = JsNumber.Create((double)memoryLimitBytes);
        var install = engine.Evaluate(Prepared);
        var concat = new JavaScriptConcatFunctions(engine, memoryLimitBytes);
        var helpers = engine.Call(install, JsValue.Undefined, [limit, concat.Create()]);
        concat.UseScriptGuards(helpers);
        JavaScriptStringGuards.Install(engine, limit, helpers);
        JavaScriptRegExpGuards.Install(engine, limit, helpers);
        JavaScriptJsonGuard.Install(engine, memoryLimitBytes);
    }
}
