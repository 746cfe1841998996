using System.Net;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Runtime.JavaScript;

/// <summary>
/// Allocations one expression makes between two of the engine's checks, through the real host: string concatenation
/// and template literals with many parts, JSON.stringify past its bounded writer, object rest outside a plain
/// declaration, and the RegExp built-ins reached by a path the string guards do not see. Each is counted against the
/// call's memory limit (64 MB by default) before it is built: the call gets a clear 500 naming the limit, the host
/// allocates far less than the gigabytes asked for, and another function is still served.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class JavaScriptExpressionLimitsTests
{
    private const string Healthy = "export default () => ({ ok: true });";

    [TestMethod]
    [DataRow("`", "${s}", "", "`", 2000, DisplayName = "a template literal with 2,000 substitutions")]
    [DataRow("(", "s", " + ", ")", 250, DisplayName = "a + chain of 250 operands")]
    [DataRow("String(", "s", "+", ")", 250, DisplayName = "a + chain as an argument")]
    [DataRow("[", "(s + s) + (s + s)", ", ", "].join('')", 500, DisplayName = "a join of + trees")]
    [DataRow("((", "s", ") + (", "))", 250, DisplayName = "a + chain of parenthesised operands")]
    [DataRow("[", "`${s}!`", ", ", "]", 1000, DisplayName = "an array literal of one-substitution templates")]
    [DataRow("(", "s + 2 * 1", " + ", ")", 125, DisplayName = "a + chain mixing numbers and strings")]
    [DataRow("[", "`${s}`", ", ", "]", 1000, DisplayName = "an array literal of bare one-substitution templates")]
    [DataRow("(t = s, ", "t += t", ", ", ")", 12, DisplayName = "+= doubling inside one sequence expression")]
    [DataRow("(o.t = s, ", "o.t += o.t", ", ", ")", 12, DisplayName = "+= doubling a property inside one expression")]
    [DataRow("(o['t'] = s, ", "o[k()] += s", ", ", ")", 2000, DisplayName = "+= on a computed property inside one expression")]
    public async Task Invoke_ConcatenationOverTheMemoryLimitInOneExpression_IsRefusedBeforeItIsBuilt(string prefix, string item, string separator, string suffix, int count)
    {
        var expression = prefix + string.Join(separator, Enumerable.Repeat(item, count)) + suffix;
        await AssertRefusedAsync($"const s = 'x'.repeat(1e6); let t = ''; const o = {{}}; const k = () => 't'; const big = {expression}; return big.length;");
    }

    [TestMethod]
    public async Task Invoke_ConcatenationWithinTheLimit_BehavesAsTheStandardSays()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("fine", """
            export default () => {
              const o = { valueOf() { return 7; }, toString() { return 'o'; } };
              let t = 'a'; t += 'b'; const p = { q: 1 }; p.q += 2; p['q'] += '!'; let n = 1; n += 2;
              const arr = [1]; arr[0] += 1;
              return [1 + 2 + 'x', 'x' + 1 + 2, `${o}` + o, `a${1}b${'c'}d${[2, 3]}`, `${{ toString: () => 'T' }}`, t, p.q, n, arr[0], 1n + 2n, typeof (1 + 2)].join('|');
            };
            """);

        var (status, body, _) = await host.GetAsync("/fn/fine");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual("3x|x12|o7|a1bcd2,3|T|ab|3!|3|2|3|number", body);
    }

    [TestMethod]
    public async Task Invoke_ConcatenationOfPrimitivesObjectsAndLongStrings_BehavesAsTheStandardSays()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("mixed", """
            export default () => {
              let log = '';
              const o = { valueOf() { log += 'v'; return 1; }, toString() { log += 's'; return 'O'; } };
              let t = 'a'.repeat(300); for (let i = 0; i < 10; i++) { t += i; }
              let u = 'b'.repeat(300); u = u + 'z' + 1;
              let symbol = 'none'; try { symbol = `${Symbol('q')}`; } catch (e) { symbol = e instanceof TypeError; }
              let mixed = 'none'; try { mixed = 1n + 1; } catch (e) { mixed = e instanceof TypeError; }
              const numeric = [2 * 3 + 1, -'5' + 1, +'3' + 1, 2n * 3n + 1n, (() => { let i = 1; return i++ + 1; })()].join(',');
              return [
                Object.is(-0 + -0, -0), 'a' + undefined + null + true + 1n, 1 + true, `${1.5}|${-0}|${1e21}|${undefined}|${null}`, 'x' + 0.1,
                o + 1, `${o}`, 'k' + o, log, t.length, t.slice(-10), u.length, u.slice(-3), symbol, mixed, numeric,
              ].join('|');
            };
            """);

        var (status, body, _) = await host.GetAsync("/fn/mixed");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual("true|aundefinednulltrue1|2|1.5|0|1e+21|undefined|null|x0.1|2|O|k1|vsv|310|0123456789|302|bz1|true|true|7,-4,4,7,2", body);
    }

    [TestMethod]
    [DataRow("s = s + 'x'", DisplayName = "s = s + 'x'")]
    [DataRow("s += 1", DisplayName = "s += 1")]
    [DataRow("s = 'x' + s", DisplayName = "s = 'x' + s")]
    [DataRow("s = `${s}x`", DisplayName = "a one-substitution template")]
    [DataRow("s = `x${s}${1}`", DisplayName = "a two-substitution template")]
    public async Task Invoke_AppendingInALoopWithoutEnd_IsStoppedByTheMemoryLimit(string step)
    {
        await using var host = await TestHost.StartAsync();

        // The largest statement limit and a long timeout: only the memory limit can stop it.
        await host.DeployAsync("grow", $"export default () => {{ let s = 'x'.repeat(1e5); for (;;) {{ {step}; }} }};", new { limits = new { timeoutMs = 60_000, maxStatements = int.MaxValue } });
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var (status, response, _) = await host.GetAsync("/fn/grow");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.AreEqual(500, status, response);
        StringAssert.Contains(response, "memory", response);
        Assert.IsLessThan(300L << 20, allocated, $"allocated {allocated >> 20} MB: {response}");
    }

    [TestMethod]
    [DataRow("(() => { let v = Array(1000).fill(s); for (let i = 0; i < 300; i++) { v = [v]; } return JSON.stringify(v); })()", "recursion", DisplayName = "JSON.stringify deeper than the bounded writer, and wide")]
    [DataRow("(() => { let n = 0; return JSON.stringify({ toJSON() { return n++ === 0 ? 1n : Array(1000).fill(s); } }); })()", "BigInt", DisplayName = "JSON.stringify whose toJSON would answer a second walk differently")]
    [DataRow("JSON.stringify({ get a() { return Array(1000).fill(s); } }, null, 2)", "memory", DisplayName = "JSON.stringify with an indent of a getter's big value")]
    [DataRow("JSON.stringify({ get a() { return Array(1000).fill(s); } }, ['a'])", "memory", DisplayName = "JSON.stringify with a key list of a getter's big value")]
    [DataRow("JSON.stringify([Array(1000).fill(s)], ['a'], '\\t')", "memory", DisplayName = "JSON.stringify with a key list and an indent")]
    public async Task Invoke_JsonPastTheBoundedWriter_IsRefusedBeforeItIsBuilt(string expression, string reason)
    {
        await AssertRefusedAsync($"const s = 'x'.repeat(1e6); const big = {expression}; return big.length;", reason);
    }

    [TestMethod]
    public async Task Invoke_JsonWithKeyListOrIndentWithinTheLimit_BehavesAsTheStandardSays()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("json", """
            export default () => [
              JSON.stringify({ b: 1, a: [{ a: 2, c: 3 }], c: 4 }, ['a', 'b']), JSON.stringify({ a: 1, b: [1, { a: 2 }] }, null, 1),
              JSON.stringify({ a: new Number(1), b: 'x' }, ['a', new String('b'), 1]), JSON.stringify({ t: { toJSON: () => 'T' } }, ['t'], ''),
            ].join('|');
            """);

        var (status, body, _) = await host.GetAsync("/fn/json");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual("{\"a\":[{\"a\":2}],\"b\":1}|{\n \"a\": 1,\n \"b\": [\n  1,\n  {\n   \"a\": 2\n  }\n ]\n}|{\"a\":1,\"b\":\"x\"}|{\"t\":\"T\"}", body);
    }

    [TestMethod]
    [DataRow("(() => { const { a: { ...r } } = { a: new Uint8Array(3e7) }; return r; })()", DisplayName = "object rest nested in a declaration")]
    [DataRow("(() => { const [{ ...r }] = [new Uint8Array(3e7)]; return r; })()", DisplayName = "object rest in an array pattern")]
    [DataRow("(() => { let r; ({ a: { ...r } } = { a: 'x'.repeat(2e7) }); return r; })()", DisplayName = "object rest nested in an assignment")]
    [DataRow("(function f({ a: { ...r } }) { return r; })({ a: new Uint8Array(3e7) })", DisplayName = "object rest nested in a parameter")]
    [DataRow("(({ ...r }, b = 1) => r)(new Uint8Array(3e7))", DisplayName = "object rest in a parameter beside a default")]
    [DataRow("(function* g({ ...r }) { yield r; })(new Uint8Array(3e7)).next().value", DisplayName = "object rest in a generator's parameter")]
    [DataRow("(() => { for (const [{ ...r }] of [[new Uint8Array(3e7)]]) { return r; } })()", DisplayName = "object rest nested in a for-of head")]
    [DataRow("(function f({ a = x, ...r }) { var x = 1; return r; })({})", DisplayName = "object rest in a parameter whose default reads a var of the body")]
    [DataRow("(function f({ a, ...r }) { function a() {} return r; })({})", DisplayName = "object rest in a parameter named like a function of the body")]
    [DataRow("(({ f = ({ ...r }) => r, ...s }) => s)({})", DisplayName = "object rest inside the default of a moved parameter")]
    public async Task Deploy_ObjectRestOfAValueTheRewriteCannotSee_IsRefusedWithItsPosition(string expression)
    {
        await using var host = await TestHost.StartAsync();

        using var response = await host.TryDeployAsync("rest", $"export default () => {{\n  const r = {expression};\n  return Object.keys(r).length;\n}};");
        var text = await response.Content.ReadAsStringAsync();
        var healthy = await host.TryDeployAsync("healthy", Healthy);

        // Before, each of these deployed, and the call built the key list of the whole value in one native step.
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        StringAssert.Contains(text, "object rest");
        StringAssert.Contains(text, "\"line\":2", text);
        Assert.AreEqual(HttpStatusCode.Created, healthy.StatusCode);
    }

    [TestMethod]
    public async Task Invoke_ObjectRestInADeclarationOrAssignment_BehavesAsTheStandardSaysAndIsGuarded()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("rest", """
            export default () => {
              const { a, ...r } = { a: 1, b: 2 };
              let w; ({ k: w, ...w2 } = { k: 1, n: 2 });
              var w2;
              let big = 'ok';
              try { const { ...huge } = new Uint8Array(3e7); big = Object.keys(huge).length; } catch (e) { big = e instanceof RangeError; }
              return [a, JSON.stringify(r), w, JSON.stringify(w2), big].join('|');
            };
            """);

        var (status, body, _) = await host.GetAsync("/fn/rest");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual("1|{\"b\":2}|1|{\"n\":2}|true", body);
    }

    [TestMethod]
    [DataRow("RegExp.prototype[Symbol.split].call(/(?:)/, 'x'.repeat(3e7))", DisplayName = "RegExp.prototype[Symbol.split] called directly")]
    [DataRow("/(?:)/[Symbol.split]('x'.repeat(3e7))", DisplayName = "Symbol.split of a RegExp")]
    [DataRow("Reflect.apply(RegExp.prototype[Symbol.split], /(?:)/, ['x'.repeat(3e7)])", DisplayName = "Symbol.split through Reflect.apply")]
    [DataRow("'x'.repeat(3e7).split(new (class extends RegExp {})(''))", DisplayName = "split by a RegExp subclass")]
    [DataRow("'x'.repeat(2e7).match(/x/g)", DisplayName = "String.prototype.match with a global RegExp")]
    [DataRow("RegExp.prototype[Symbol.match].call(/x/g, 'x'.repeat(2e7))", DisplayName = "RegExp.prototype[Symbol.match] called directly")]
    [DataRow("[...'x'.repeat(1e7).matchAll(/x/g)]", DisplayName = "a spread of matchAll")]
    [DataRow("Array.from('x'.repeat(1e7).matchAll(/x/g))", DisplayName = "Array.from of matchAll")]
    [DataRow("(() => { let n = 0; const rx = /(?:)/g; rx.exec = () => (n++ < 2000 ? Object.assign([''], { index: 0 }) : null); return 'a'.replace(rx, s); })()", DisplayName = "replace with a RegExp whose own exec answers many matches")]
    [DataRow("(() => { let n = 0; class R extends RegExp { exec() { return n++ < 2000 ? Object.assign([''], { index: 0 }) : null; } } return 'a'.replace(new R('', 'g'), s); })()", DisplayName = "replace with a RegExp subclass whose exec answers many matches")]
    [DataRow("(() => { let n = 0; const fake = { flags: 'g', lastIndex: 0, exec: () => (n++ < 2000 ? Object.assign([''], { index: 0 }) : null) }; return RegExp.prototype[Symbol.replace].call(fake, 'a', s); })()", DisplayName = "Symbol.replace called on a RegExp-like object")]
    [DataRow("(() => { let n = 0; RegExp.prototype.exec = function () { return n++ < 2000 ? Object.assign([''], { index: 0 }) : null; }; return 'a'.replace(/(?:)/g, s); })()", DisplayName = "replace after RegExp.prototype.exec is replaced")]
    public async Task Invoke_RegExpBuiltInReachedAroundTheStringGuards_IsRefusedBeforeItIsBuilt(string expression)
    {
        await AssertRefusedAsync($"const s = 'x'.repeat(1e6); const big = {expression}; return big.length;");
    }

    [TestMethod]
    public async Task Invoke_RegExpBuiltInsWithinTheLimit_BehaveAsTheStandardSays()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("rx", """
            export default () => {
              class R extends RegExp {}
              const rx = /b/g; rx.exec = function (s) { return RegExp.prototype.exec.call(this, s); };
              return [
                RegExp.prototype[Symbol.split].call(/,/, 'a,b,c').join('+'), 'a1b2c'.split(new R('\\d')).join('+'), 'a,b,c'.split(/(,)/, 3).join('+'),
                'abab'.match(/b/g).join('+'), String(RegExp.prototype[Symbol.match].call(/a(b)/, 'xab')), [...'a1b2'.matchAll(/\d/g)].map((m) => m[0] + m.index).join('+'),
                'abab'.replace(rx, '[$&]'), 'abc'.replace(new R('(?<x>b)'), '<$<x>$1$$>'), 'aXbX'.replace(/X/g, "$'"), RegExp.prototype[Symbol.replace].call(/a/g, 'aa', '$`b'),
                'abc'.search(/c/),
              ].join('|');
            };
            """);

        var (status, body, _) = await host.GetAsync("/fn/rx");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual("a+b+c|a+b+c|a+,+b|b+b|ab,b|11+23|a[b]a[b]|a<bb$>c|abXb|bab|2", body);
    }

    [TestMethod]
    public async Task Invoke_ObjectRestInParametersCatchAndLoopHeads_BehavesAsTheStandardSays()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("rest", """
            const pick = ({ id, ...rest }) => `${id}:${JSON.stringify(rest)}`;
            function named({ a, ...others }, b) { return [a, JSON.stringify(others), b, arguments.length, arguments[0].a].join(','); }
            const withDefault = ({ a = 'd', ...r } = {}) => a + JSON.stringify(r);
            const lengths = [named.length, withDefault.length, (({ ...r }, b) => 0).length, (function (x, { ...r }) {}).length].join('');
            const obj = { k: 'this', m({ ...r }) { return this.k + Object.keys(r).length; }, arrow() { return (({ ...r }) => this.k + r.z)({ z: 1 }); } };
            class C { constructor({ n, ...r }) { this.n = n; this.r = r; } set v({ ...r }) { this.s = r.q; } }
            const asyncPick = async ({ x, ...r }) => x + r.y;
            const thrower = ({ ...r }) =>
              new Error('at line 9');
            export default async () => {
              const out = [pick({ id: 1, b: 2 }), named({ a: 1, c: 3 }, 4), withDefault(), withDefault({ a: 'x', y: 1 }), lengths];
              out.push(obj.m({ p: 1, q: 2 }), obj.arrow());
              const c = new C({ n: 1, m: 2 }); c.v = { q: 'Q' }; out.push(c.n + JSON.stringify(c.r) + c.s);
              out.push(await asyncPick({ x: 'a', y: 'b' }));
              try { throw { message: 'boom', code: 7 }; } catch ({ message, ...rest }) { out.push(message + rest.code); }
              const loop = [];
              for (const { k, ...v } of [{ k: 1, a: 2 }, { k: 3 }]) loop.push(k + JSON.stringify(v));
              const fns = []; for (let { k, ...v } of [{ k: 1 }, { k: 2 }]) { fns.push(() => k); }
              let k, v; for ({ k, ...v } of [{ k: 5, w: 6 }]) { loop.push(k + v.w); }
              for (const { length, ...chars } in { ab: 1 }) { loop.push(length + Object.keys(chars).join('')); }
              out.push(loop.join(';'), fns.map(f => f()).join(''));
              try { pick(undefined); } catch (e) { out.push(e instanceof TypeError); }
              out.push(/:9:/.test(thrower({}).stack));
              return out.join('|');
            };
            """);

        var (status, body, _) = await host.GetAsync("/fn/rest");

        Assert.AreEqual(200, status, body);
        Assert.AreEqual(
            "1:{\"b\":2}|1,{\"c\":3},4,2,1|d{}|x{\"y\":1}|2022|this2|this1|1{\"m\":2}Q|ab|boom7|1{\"a\":2};3{};11;201|12|true|true",
            body);
    }

    [TestMethod]
    [DataRow("(function f({ ...r }) { return r; })(new Uint8Array(3e7))", DisplayName = "a function parameter")]
    [DataRow("(({ ...r }) => r)(new Uint8Array(3e7))", DisplayName = "an arrow parameter")]
    [DataRow("(({ a, ...r } = new Uint8Array(3e7)) => r)()", DisplayName = "a parameter's default")]
    [DataRow("({ m({ ...r }) { return r; } }).m('x'.repeat(2e7))", DisplayName = "a method parameter")]
    [DataRow("(() => { try { throw new Uint8Array(3e7); } catch ({ ...r }) { return r; } })()", DisplayName = "a catch parameter")]
    [DataRow("(() => { for (const { ...r } of [new Uint8Array(3e7)]) { return r; } })()", DisplayName = "a for-of head")]
    [DataRow("(() => { let r; for ({ ...r } of ['x'.repeat(2e7)]) { return r; } })()", DisplayName = "a for-of assignment head")]
    public async Task Invoke_ObjectRestInAParameterCatchOrLoopHeadOfAHugeValue_IsRefusedBeforeItIsBuilt(string expression)
    {
        await AssertRefusedAsync($"const r = {expression}; return Object.keys(r).length;");
    }

    [TestMethod]
    public async Task Invoke_ObjectRestInAnAsyncArrowParameterOfAHugeValue_IsRefusedBeforeItIsBuilt()
    {
        await AssertRefusedAsync("return (async ({ ...r }) => Object.keys(r).length)(new Uint8Array(3e7));");
    }

    private static async Task AssertRefusedAsync(string body, string reason = "memory")
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("big", $"export default () => {{ {body} }};", new { limits = new { timeoutMs = 20_000 } });
        await host.DeployAsync("healthy", Healthy);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var (status, response, _) = await host.GetAsync("/fn/big");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var healthy = await host.GetAsync("/fn/healthy");

        Assert.AreEqual(500, status, response);
        StringAssert.Contains(response, reason, response);
        Assert.IsLessThan(300L << 20, allocated, $"allocated {allocated >> 20} MB: {response}");
        Assert.AreEqual(200, healthy.Status);
    }
}
