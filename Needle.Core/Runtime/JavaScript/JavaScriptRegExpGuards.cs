using Jint;

namespace Needle.Runtime.JavaScript;

/// <summary>
/// The RegExp built-ins whose result size the function chooses, on every path that reaches them: called directly
/// (<c>RegExp.prototype[Symbol.split].call(rx, s)</c>, <c>Reflect.apply</c>), through the String methods, on a
/// subclass, on a RegExp with its own <c>exec</c>, or on any object with an <c>exec</c>. A plain RegExp (its prototype
/// the intrinsic one, no own property but <c>lastIndex</c>) runs the intrinsic <c>exec</c>, since
/// the accessors of <c>RegExp.prototype</c>, its <c>constructor</c> and <c>RegExp[Symbol.species]</c> are locked here (<c>exec</c> stays writable and is compared): its matches are counted on a copy before
/// the built-in runs. Anything else runs through a proxy whose <c>exec</c> is called from script, so the engine's
/// limits are checked at every match, and a string replacement is made in script, counted piece by piece.
/// <c>matchAll</c>'s iterator steps from script too: a spread or <c>Array.from</c> of it is checked at every match.
/// Part of <see cref="JavaScriptAllocationGuards"/>.
/// </summary>
internal static class JavaScriptRegExpGuards
{
    private const string Source = """
        (function (limit, h) {
          'use strict';
          const { apply, check, hide } = h;
          const { String, Number, Object, Reflect, Proxy, RegExp } = globalThis;
          const Math = Object.freeze({ min: globalThis.Math.min });
          const guard = (owner, name, wrap) => { const original = owner[name]; hide(owner, name, { [name](...args) { return wrap(original, this, args); } }[name]); };
          const proto = RegExp.prototype;
          const exec = proto.exec;
          const flagsOf = Object.getOwnPropertyDescriptor(proto, 'flags').get;
          const sourceOf = Object.getOwnPropertyDescriptor(proto, 'source').get;
          const { getPrototypeOf, ownKeys } = Reflect;
          const indexOf = String.prototype.indexOf;
          const slice = String.prototype.slice;
          const isRegExp = (value) => { try { apply(sourceOf, value, []); return true; } catch { return false; } };
          const plain = (rx) => isRegExp(rx) && getPrototypeOf(rx) === proto && ownKeys(rx).length === 1 && proto.exec === exec;
          const chars = limit / 2;
          const tooMany = (what, count, length) => check(what, count * 40 + length * 2);
          const matchesOf = (rx, s) => {
            const flags = String(apply(flagsOf, rx, []));
            const copy = new RegExp(apply(sourceOf, rx, []), flags.includes('g') ? flags : flags + 'g');
            return () => { const m = apply(exec, copy, [s]); if (m === null) { return null; } if (m[0].length === 0) { copy.lastIndex++; } return m[0].length; };
          };
          // Any other receiver: every exec is a call from script, with the receiver itself as this.
          const stepped = (rx) => new Proxy(rx, {
            get(target, key) {
              const value = Reflect.get(target, key, target);
              return key === 'exec' && typeof value === 'function' ? function (s) { return apply(value, target, [s]); } : value;
            },
            set(target, key, value) { return Reflect.set(target, key, value, target); },
          });

          // $$, $&, $`, $', $n, $nn, $<name>, as the standard's GetSubstitution.
          const substitute = (r, matched, s, position, captures, groups) => {
            let out = '';
            let from = 0;
            for (let i = apply(indexOf, r, ['$']); i >= 0 && i < r.length - 1; i = apply(indexOf, r, ['$', from])) {
              out += apply(slice, r, [from, i]);
              const d = r[i + 1];
              let used = 2;
              let piece = '$';
              if (d === '$') { piece = '$'; } else if (d === '&') { piece = matched; } else if (d === '`') { piece = apply(slice, s, [0, position]); } else if (d === "'") { piece = apply(slice, s, [position + matched.length]); } else if (d >= '0' && d <= '9') {
                const e = r[i + 2];
                const two = e !== undefined && e >= '0' && e <= '9' ? Number(d + e) : 0;
                const one = Number(d);
                if (two >= 1 && two <= captures.length) { piece = captures[two - 1] ?? ''; used = 3; } else if (one >= 1 && one <= captures.length) { piece = captures[one - 1] ?? ''; } else { used = 1; }
              } else if (d === '<' && groups !== undefined) {
                const close = apply(indexOf, r, ['>', i + 2]);
                if (close < 0) { used = 1; } else { const v = groups[apply(slice, r, [i + 2, close])]; piece = v === undefined ? '' : `${v}`; used = close - i + 1; }
              } else { used = 1; }
              out += `${piece}`;
              from = i + used;
            }

            return out + apply(slice, r, [from]);
          };

          guard(proto, Symbol.split, (original, self, [string, max]) => {
            const s = String(string);
            const cap = max === undefined ? 2 ** 32 - 1 : Number(max) >>> 0;
            const pieces = Math.min(cap, s.length + 1);
            if (pieces * 40 + s.length * 2 > limit) {
              if (!plain(self)) { tooMany('RegExp.prototype[Symbol.split]', pieces, s.length); }
              const next = matchesOf(self, s);
              let count = 1;
              while (count < cap && next() !== null) { count++; if (count * 40 > limit) { break; } }
              tooMany('RegExp.prototype[Symbol.split]', count, s.length);
            }

            return apply(original, self, [s, max === undefined ? undefined : cap]);
          });

          guard(proto, Symbol.match, (original, self, [string]) => {
            const s = String(string);
            if (!plain(self)) { return apply(original, stepped(self), [s]); }
            if (String(apply(flagsOf, self, [])).includes('g') && (s.length + 1) * 40 + s.length * 2 > limit) {
              const next = matchesOf(self, s);
              let count = 0;
              let length = 0;
              for (let m = next(); m !== null; m = next()) { count++; length += m; tooMany('RegExp.prototype[Symbol.match]', count, length); }
            }

            return apply(original, self, [s]);
          });

          guard(proto, Symbol.replace, (original, self, [string, replacement]) => {
            const s = String(string);
            if (plain(self) || typeof replacement === 'function') { return apply(original, plain(self) ? self : stepped(self), [s, replacement]); }
            const r = String(replacement);
            let total = s.length;
            return apply(original, stepped(self), [s, (matched, ...rest) => {
              const named = typeof rest[rest.length - 1] !== 'string';
              const groups = named ? rest[rest.length - 1] : undefined;
              const position = rest[rest.length - (named ? 3 : 2)];
              const piece = substitute(r, matched, s, position, rest.slice(0, rest.length - (named ? 3 : 2)), groups);
              total += piece.length;
              if (total > chars) { check('RegExp.prototype[Symbol.replace]', total * 2); }
              return piece;
            }]);
          });

          // The iterator's steps are taken from script: whatever walks it (a spread, Array.from) is checked at each.
          guard(proto, Symbol.matchAll, (original, self, [string]) => {
            const inner = apply(original, self, [string]);
            const next = inner.next;
            return { next() { return apply(next, inner, []); }, [Symbol.iterator]() { return this; }, [Symbol.toStringTag]: 'RegExp String Iterator' };
          });

          // What the built-ins read of a plain RegExp, but exec (compared above), is locked: no getter of the function's
          // runs between the check and the built-in, and the species is RegExp.
          for (const key of ownKeys(proto)) {
            const descriptor = Object.getOwnPropertyDescriptor(proto, key);
            if (descriptor.get !== undefined || key === 'constructor') { Object.defineProperty(proto, key, key === 'constructor' ? { writable: false, configurable: false } : { configurable: false }); }
          }

          Object.defineProperty(RegExp, Symbol.species, { configurable: false });
        })
        """;

    private static readonly Prepared<Acornima.Ast.Script> Prepared = Engine.PrepareScript(Source, "needle-regexp-guards.js", strict: true);

    /// <summary>Installs the guards after the string guards (which replace <c>Symbol.replace</c> first); then locks what a plain RegExp's built-ins read.</summary>
    public static void Install(Engine engine, Jint.Native.JsValue limit, Jint.Native.JsValue helpers)
    {
        var install = engine.Evaluate(Prepared);
        engine.Call(install, Jint.Native.JsValue.Undefined, [limit, helpers]);
    }
}
