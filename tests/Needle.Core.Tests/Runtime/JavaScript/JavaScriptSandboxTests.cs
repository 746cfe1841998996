using Needle.Runtime;
using static Needle.Tests.Runtime.JavaScript.JavaScriptTestHost;

namespace Needle.Tests.Runtime.JavaScript;

[TestClass]
public sealed class JavaScriptSandboxTests
{
    [TestMethod]
    [DataRow("importNamespace('System.IO')", "ReferenceError")]
    [DataRow("require('fs')", "ReferenceError")]
    [DataRow("process.env", "ReferenceError")]
    [DataRow("System.IO.File", "ReferenceError")]
    [DataRow("host.toString()", "ReferenceError")]
    [DataRow("globalThis.clr.x", "TypeError")]
    [DataRow("Function('return this')()", "TypeError")]
    [DataRow("eval('1 + 1')", "TypeError")]
    [DataRow("new ShadowRealm()", "ReferenceError")]
    [DataRow("Atomics.wait(new Int32Array(4), 0, 0, 1000)", "ReferenceError")]
    [DataRow("ctx.constructor.constructor('return this')()", "TypeError")]
    public async Task InvokeAsync_ReachingForTheHost_ThrowsJavaScriptError(string expression, string errorName)
    {
        await using var function = await LoadAsync($"export default (req, ctx) => {{\n  return {expression};\n}}");

        var ex = await InvokeFailingAsync(function);

        Assert.AreEqual(InvocationFailure.HandlerError, ex.Failure);
        StringAssert.StartsWith(ex.Message, errorName);
        Assert.IsInstanceOfType<Jint.Runtime.JavaScriptException>(ex.InnerException);
    }

    [TestMethod]
    public async Task InvokeAsync_GlobalObject_HoldsOnlyStandardBuiltIns()
    {
        string[] standard =
        [
            "Infinity", "NaN", "undefined", "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape",
            "isFinite", "isNaN", "toString", "unescape", "AggregateError", "Array", "ArrayBuffer", "AsyncDisposableStack",
            "AsyncIterator", "BigInt", "BigInt64Array", "BigUint64Array", "Boolean", "DataView", "Date", "DisposableStack",
            "Error", "EvalError", "FinalizationRegistry", "Float16Array", "Float32Array", "Float64Array", "Function",
            "Generator", "Int16Array", "Int32Array", "Int8Array", "Intl", "Iterator", "JSON", "Map", "Math", "Number",
            "Object", "Promise", "Proxy", "RangeError", "ReferenceError", "Reflect", "RegExp", "Set", "String",
            "SuppressedError", "Symbol", "SyntaxError", "Temporal", "TypeError", "TypedArray", "URIError", "Uint16Array",
            "Uint32Array", "Uint8Array", "Uint8ClampedArray", "WeakMap", "WeakRef", "WeakSet", "eval", "parseFloat",
            "parseInt", "globalThis",
        ];
        await using var function = await LoadAsync("export default () => Object.getOwnPropertyNames(globalThis);");

        var response = await InvokeAsync(function);

        var names = System.Text.Json.JsonSerializer.Deserialize<string[]>(response.Body!)!;
        CollectionAssert.IsSubsetOf(names, standard, "Unexpected globals: " + string.Join(", ", names.Except(standard)));
    }

    [TestMethod]
    public async Task InvokeAsync_ContextFunctions_ExposeNoClrMembers()
    {
        await using var function = await LoadAsync(
            """
            export default (req, ctx) => ({
              fetch: Object.getOwnPropertyNames(ctx.fetch).sort(),
              log: Object.getOwnPropertyNames(ctx.log).sort(),
              ctx: Object.getOwnPropertyNames(ctx).sort(),
              type: typeof ctx.fetch.GetType,
            });
            """);

        var response = await InvokeAsync(function);

        Assert.AreEqual("""{"fetch":["length","name"],"log":["debug","error","info","warn"],"ctx":["config","fetch","log","requestId","secrets"],"type":"undefined"}""", response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_DateAndIntl_SeeUtcNotTheHostTimeZone()
    {
        await using var function = await LoadAsync("export default () => Intl.DateTimeFormat().resolvedOptions().timeZone;");

        var response = await InvokeAsync(function);

        Assert.AreEqual("UTC", response.Body);
    }
}
