using Jint;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The string builders among the built-ins whose result size the function chooses: each is counted against the call's
/// memory limit before it is built (<c>'a'.repeat(1e6).replace(/(?:)/g, 'x'.repeat(1000))</c> is a gigabyte made by one
/// native call, between two of the engine's checks). Arguments are converted once, here, and the original gets the
/// converted values, so a <c>toString</c> cannot answer the check with one size and the built-in with another. Work
/// whose size is not known up front (counting matches, converting a join's items) runs in script, where the engine's
/// limits apply at every step. Part of <see cref="JavaScriptAllocationGuards"/>.
/// </summary>
internal static class JavaScriptStringGuards
{
    private const string Source = """
        (function (limit, h) {
          'use strict';
          // The globals the guards call are taken now: a function may rebind String, Number, Object or Math's methods.
          const { String, Number, Object } = globalThis;
          const Math = Object.freeze({ min: globalThis.Math.min, max: globalThis.Math.max, trunc: globalThis.Math.trunc, round: globalThis.Math.round });
          const { apply, check, hide } = h;
          const OriginalRegExp = RegExp;
          const exec = RegExp.prototype.exec;
          const flagsOf = Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags').get;
          const sourceOf = Object.getOwnPropertyDescriptor(RegExp.prototype, 'source').get;
          const indexOf = String.prototype.indexOf;
          const isRegExp = (value) => { try { apply(sourceOf, value, []); return true; } catch { return false; } };
          const chars = limit / 2;
          const over = (what, length) => check(what, length * 2);
          const guard = (owner, name, wrap) => { const original = owner[name]; hide(owner, name, { [name](...args) { return wrap(original, this, args); } }[name]); };
          const dollars = (r) => { let whole = 0, part = 0; for (let i = apply(indexOf, r, ['$']); i >= 0 && i < r.length - 1; i = apply(indexOf, r, ['$', i + 1])) { const c = r[i + 1]; if (c === "'" || c === '`') { whole++; } else if (c !== '$') { part++; } else { i++; } } return { whole, part }; };

          // The longest result of replacing with the string r: first from above, then (when that is over the limit)
          // by walking the matches in script, summing what each would insert.
          const replaced = (what, s, r, all, next) => {
            const { whole, part } = dollars(r);
            const most = all ? s.length + 1 : 1;
            if (s.length + most * (r.length + (whole + part) * s.length) <= chars) { return; }
            let total = s.length;
            for (let m = next(); m !== null; m = all ? next() : null) {
              total += r.length + whole * s.length + part * m;
              if (total > chars) { over(what, total); }
            }
          };
          const stringMatches = (s, p) => {
            if (p.length === 0) { let k = 0; return () => (k++ <= s.length ? 0 : null); }
            let at = -p.length;
            return () => { at = apply(indexOf, s, [p, at + p.length]); return at < 0 ? null : p.length; };
          };
          const regExpMatches = (rx, s) => {
            const flags = String(apply(flagsOf, rx, []));
            const copy = new OriginalRegExp(apply(sourceOf, rx, []), flags.includes('g') ? flags : flags + 'g');
            return () => { const m = apply(exec, copy, [s]); if (m === null) { return null; } if (m[0].length === 0) { copy.lastIndex++; } return m[0].length; };
          };

          guard(String.prototype, 'repeat', (original, self, [count]) => { const s = String(self); const n = Number(count); over('String.prototype.repeat', s.length * n); return apply(original, s, [n]); });
          for (const name of ['padStart', 'padEnd']) {
            guard(String.prototype, name, (original, self, [length, filler]) => { const s = String(self); const n = Number(length); over(`String.prototype.${name}`, n); return apply(original, s, filler === undefined ? [n] : [n, String(filler)]); });
          }

          guard(String.prototype, 'concat', (original, self, args) => {
            const s = String(self);
            const parts = [];
            let total = s.length;
            for (let i = 0; i < args.length; i++) { const part = String(args[i]); parts[i] = part; total += part.length; if (total > chars) { over('String.prototype.concat', total); } }
            return apply(original, s, parts);
          });

          // Canonical decomposition at most triples a string's length, compatibility decomposition at most 18 times.
          guard(String.prototype, 'normalize', (original, self, [form]) => {
            const s = String(self);
            const f = form === undefined ? 'NFC' : String(form);
            over('String.prototype.normalize', s.length * (f === 'NFKD' || f === 'NFKC' ? 18 : 3));
            return apply(original, s, [f]);
          });

          for (const name of ['replace', 'replaceAll']) {
            guard(String.prototype, name, (original, self, [pattern, replacement]) => {
              if (pattern !== null && pattern !== undefined && typeof pattern === 'object' && isRegExp(pattern)) {
                const s = String(self);
                if (typeof replacement === 'function') { return apply(original, s, [pattern, replacement]); }
                const r = String(replacement);
                const global = String(apply(flagsOf, pattern, [])).includes('g');
                replaced(`String.prototype.${name}`, s, r, global, regExpMatches(pattern, s));
                return apply(original, s, [pattern, r]);
              }

              if (pattern !== null && pattern !== undefined && (typeof pattern === 'object' || typeof pattern === 'function')) { return apply(original, self, [pattern, replacement]); }
              const s = String(self);
              const p = String(pattern);
              if (typeof replacement === 'function') { return apply(original, s, [p, replacement]); }
              const r = String(replacement);
              replaced(`String.prototype.${name}`, s, r, name === 'replaceAll', stringMatches(s, p));
              return apply(original, s, [p, r]);
            });
          }

          guard(RegExp.prototype, Symbol.replace, (original, self, [string, replacement]) => {
            const s = String(string);
            if (typeof replacement === 'function' || !isRegExp(self)) { return apply(original, self, [s, replacement]); }
            const r = String(replacement);
            replaced('RegExp.prototype[Symbol.replace]', s, r, String(apply(flagsOf, self, [])).includes('g'), regExpMatches(self, s));
            return apply(original, self, [s, r]);
          });

          // Every piece of a split is a string of its own (about 40 bytes of bookkeeping even when empty).
          const pieces = (what, s, count) => check(what, s.length * 2 + count * 40);
          guard(String.prototype, 'split', (original, self, [separator, max]) => {
            if (separator !== null && separator !== undefined && (typeof separator === 'object' || typeof separator === 'function')) {
              if (!isRegExp(separator)) { return apply(original, self, [separator, max]); }
            }

            const s = String(self);
            const cap = max === undefined ? 2 ** 32 - 1 : Number(max) >>> 0;
            if ((Math.min(cap, s.length + 1)) * 40 + s.length * 2 > limit) {
              const next = typeof separator === 'object' && separator !== null ? regExpMatches(separator, s) : stringMatches(s, String(separator));
              let count = 1;
              while (count < cap && next() !== null) { count++; if (count * 40 > limit) { break; } }
              pieces('String.prototype.split', s, count);
            }

            return apply(original, s, [typeof separator === 'object' && separator !== null ? separator : separator === undefined ? undefined : String(separator), max === undefined ? undefined : cap]);
          });

          // String.raw walks a length the function chooses and converts each part: done here, step by step.
          const raw = String.raw;
          hide(String, 'raw', { raw(template, ...substitutions) {
            const strings = Object(Object(template).raw);
            const length = Math.min(Math.max(Math.trunc(Number(strings.length)) || 0, 0), 2 ** 53 - 1);
            const parts = [];
            const values = [];
            let total = 0;
            for (let i = 0; i < length; i++) {
              parts[i] = String(strings[i]);
              total += parts[i].length;
              if (i + 1 < length && i < substitutions.length) { values[i] = String(substitutions[i]); total += values[i].length; }
              if (total > chars) { over('String.raw', total); }
            }

            return apply(raw, String, [{ raw: parts }, ...values]);
          } }.raw);

          // join (and toString, which calls it): each item is converted once, here (its own toString may build a big
          // string, or be a native one of a String object), and the sum is checked before the original joins them.
          const join = Array.prototype.join;
          hide(Array.prototype, 'join', { join(separator) {
            const o = Object(this);
            const length = Math.min(Math.max(Math.trunc(Number(o.length)) || 0, 0), 2 ** 53 - 1);
            const sep = separator === undefined ? ',' : String(separator);
            let total = Math.max(0, length - 1) * sep.length;
            if (total > chars) { over('Array.prototype.join', total); }
            const parts = [];
            for (let i = 0; i < length; i++) {
              const item = o[i];
              const part = item === undefined || item === null ? '' : String(item);
              parts[i] = part;
              total += part.length;
              if (total > chars) { over('Array.prototype.join', total); }
            }

            return apply(join, parts, [sep]);
          } }.join);

          // toLocaleString: the same, with each item's own toLocaleString.
          hide(Array.prototype, 'toLocaleString', { toLocaleString(...args) {
            const o = Object(this);
            const length = Math.min(Math.max(Math.trunc(Number(o.length)) || 0, 0), 2 ** 53 - 1);
            let total = Math.max(0, length - 1);
            if (total > chars) { over('Array.prototype.toLocaleString', total); }
            const parts = [];
            for (let i = 0; i < length; i++) {
              const item = o[i];
              const part = item === undefined || item === null ? '' : String(item.toLocaleString(...args));
              parts[i] = part;
              total += part.length;
              if (total > chars) { over('Array.prototype.toLocaleString', total); }
            }

            return apply(join, parts, [',']);
          } }.toLocaleString);

          // A typed array's join: its elements are numbers of a bounded length, its separator is the function's.
          const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
          const typedLength = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'length').get;
          const digits = (self) => { const size = self.BYTES_PER_ELEMENT; return size === 1 ? 4 : size === 2 ? 6 : 24; };
          guard(typedArrayPrototype, 'join', (original, self, [separator]) => {
            const length = apply(typedLength, self, []);
            const sep = separator === undefined ? ',' : String(separator);
            over('TypedArray.prototype.join', length * digits(self) + Math.max(0, length - 1) * sep.length);
            return apply(original, self, [sep]);
          });
          guard(typedArrayPrototype, 'toLocaleString', (original, self, args) => {
            const length = apply(typedLength, self, []);
            over('TypedArray.prototype.toLocaleString', length * (digits(self) * 2 + 1));
            return apply(original, self, args);
          });
        })
        """;

    private static readonly Prepared<Acornima.Ast.Script> Prepared = Engine.PrepareScript(Source, "needle-string-guards.js", strict: true);

    /// <summary>Installs the guards; <paramref name="helpers"/> is what the allocation guards share with them.</summary>
    public static void Install(Engine engine, Jint.Native.JsValue limit, Jint.Native.JsValue helpers)
    {
        var install = engine.Evaluate(Prepared);
        engine.Call(install, Jint.Native.JsValue.Undefined, [limit, helpers]);
    }
}
