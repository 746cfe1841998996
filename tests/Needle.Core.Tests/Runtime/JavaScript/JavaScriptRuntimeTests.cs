using Needle.Runtime;
using static Needle.Tests.Runtime.JavaScript.JavaScriptTestHost;

namespace Needle.Tests.Runtime.JavaScript;

[TestClass]
public sealed class JavaScriptRuntimeTests
{
    [TestMethod]
    public async Task LoadAsync_ValidModule_ReturnsFunctionWithOneWarmEngine()
    {
        await using var function = await LoadAsync("export default async function (req, ctx) { return { hello: 'world' }; }");

        Assert.AreEqual("hello", function.Version.Name);
        Assert.AreEqual(1, function.EngineCount);
    }

    [TestMethod]
    public async Task LoadAsync_SyntaxError_ThrowsValidationWithLineAndColumn()
    {
        var ex = await LoadFailingAsync("export default function () {\n  return 1 +;\n}");

        var diagnostic = ex.Diagnostics.Single();
        Assert.AreEqual(2, diagnostic.Line);
        Assert.AreEqual(13, diagnostic.Column);
        StringAssert.Contains(diagnostic.Message, "Unexpected token");
    }

    [TestMethod]
    public async Task LoadAsync_NoDefaultExport_ThrowsValidation()
    {
        var ex = await LoadFailingAsync("export const handler = () => 1;");

        StringAssert.Contains(ex.Message, "no default export");
    }

    [TestMethod]
    public async Task LoadAsync_DefaultExportNotAFunction_ThrowsValidation()
    {
        var ex = await LoadFailingAsync("export default { hello: 1 };");

        StringAssert.Contains(ex.Message, "not a function");
    }

    [TestMethod]
    [DataRow("import fs from 'fs';\nexport default function () {}", 1)]
    [DataRow("export { x } from 'other';\nexport default function () {}", 1)]
    [DataRow("export default async function () {\n  return await import('fs');\n}", 2)]
    public async Task LoadAsync_Import_ThrowsValidation(string source, int line)
    {
        var ex = await LoadFailingAsync(source);

        StringAssert.Contains(ex.Message, "Imports are not supported");
        Assert.AreEqual(line, ex.Diagnostics.Single().Line);
    }

    [TestMethod]
    public async Task LoadAsync_TopLevelThrows_ThrowsValidationWithLine()
    {
        var ex = await LoadFailingAsync("const x = 1;\nthrow new Error('broken');\nexport default function () {}");

        StringAssert.Contains(ex.Message, "broken");
        Assert.AreEqual(2, ex.Diagnostics.Single().Line);
    }

    [TestMethod]
    public async Task LoadAsync_TopLevelInfiniteLoop_ThrowsValidation()
    {
        var version = Version("for (;;) {}\nexport default function () {}", new() { TimeoutMs = 100 });
        var limits = Needle.Functions.ResolvedLimits.Resolve(version.Manifest.Limits, new());

        await Assert.ThrowsExactlyAsync<FunctionValidationException>(() => JavaScriptTestHost.Runtime().LoadAsync(version, limits, CancellationToken.None));
    }

    [TestMethod]
    public void Name_IsJavaScript()
    {
        Assert.AreEqual("javascript", JavaScriptTestHost.Runtime().Name);
    }
}
