using System.Diagnostics;
using Needle.Patching;

namespace Needle.Tests.Patching;

[TestClass]
public sealed class UnifiedDiffTests
{
    private const string Original = """
        export default async function (req, ctx) {
          const limit = 10;
          const items = await load(ctx);
          return items.slice(0, limit);
        }

        async function load(ctx) {
          const r = await ctx.fetch('http://backend/items');
          return r.json();
        }

        """;

    [TestMethod]
    [DataRow("const limit = 10;", "const limit = 20;", DisplayName = "one changed line")]
    [DataRow("  return r.json();\n", "  const items = await r.json();\n  return items.filter(Boolean);\n", DisplayName = "one line into two at the end")]
    [DataRow("export default async function (req, ctx) {\n", "// patched\nexport default async function (req, ctx) {\n", DisplayName = "insert at the top")]
    public void Apply_DiffMadeByDiffU_GivesTheModifiedText(string from, string to)
    {
        var modified = Original.Replace(from, to, StringComparison.Ordinal);
        var diff = MakeDiff(Original, modified);

        var patched = UnifiedDiff.Apply(Original, diff);

        Assert.AreEqual(modified, patched);
    }

    [TestMethod]
    public void Apply_SeveralHunks_AppliesEach()
    {
        var lines = Enumerable.Range(1, 60).Select(i => $"line {i};").ToList();
        var original = string.Join('\n', lines) + "\n";
        lines[3] = "line four;";
        lines[40] = "line forty-one;";
        lines.Insert(55, "inserted;");
        var modified = string.Join('\n', lines) + "\n";

        var patched = UnifiedDiff.Apply(original, MakeDiff(original, modified));

        Assert.AreEqual(modified, patched);
    }

    [TestMethod]
    public void Apply_NoNewlineAtEndOnEitherSide_IsKept()
    {
        const string original = "a\nb\nc";
        const string modified = "a\nB\nc";

        var patched = UnifiedDiff.Apply(original, MakeDiff(original, modified));

        Assert.AreEqual(modified, patched);
    }

    [TestMethod]
    public void Apply_HunkThatDoesNotMatch_IsRefusedNamingTheLine()
    {
        var diff = MakeDiff(Original, Original.Replace("const limit = 10;", "const limit = 20;", StringComparison.Ordinal));
        var drifted = Original.Replace("const limit = 10;", "const limit = 15;", StringComparison.Ordinal);

        var ex = Assert.ThrowsExactly<PatchException>(() => UnifiedDiff.Apply(drifted, diff));

        StringAssert.Contains(ex.Message, "line 2");
        StringAssert.Contains(ex.Message, "const limit = 10;");
    }

    [TestMethod]
    [DataRow("", "no hunks", DisplayName = "empty")]
    [DataRow("just some text\n", "no hunks", DisplayName = "not a diff")]
    [DataRow("@@ -1,2 +1,2 @@\n-export default async function (req, ctx) {\n", "says 2 old", DisplayName = "short hunk")]
    [DataRow("@@ -x +1 @@\n", "not a valid hunk header", DisplayName = "bad header")]
    [DataRow("@@ -90,1 +90,1 @@\n-x\n+y\n", "past the end", DisplayName = "hunk past the end")]
    [DataRow("@@ -1,1 +1,1 @@\n*x\n", "starts with '*'", DisplayName = "bad line kind")]
    public void Apply_MalformedDiff_IsRefusedWithAReason(string diff, string expected)
    {
        var ex = Assert.ThrowsExactly<PatchException>(() => UnifiedDiff.Apply(Original, diff));

        StringAssert.Contains(ex.Message, expected);
    }

    // Hunk headers and bodies a hand-edited or hostile diff may hold; each must be refused naming its line, never crash.
    [TestMethod]
    [DataRow("@@ -99999999999 +1 @@\n-x\n+y\n", "Line 1", DisplayName = "old start past int")]
    [DataRow("@@ -1 +99999999999 @@\n-x\n+y\n", "Line 1", DisplayName = "new start past int")]
    [DataRow("@@ -1,99999999999 +1 @@\n-x\n", "Line 1", DisplayName = "old count past int")]
    [DataRow("@@ -1 +1,99999999999 @@\n+x\n", "Line 1", DisplayName = "new count past int")]
    [DataRow("@@ -2147483647,1 +2147483647,1 @@\n-x\n+y\n", "Line 1", DisplayName = "int max start")]
    [DataRow("@@ -1,2147483647 +1,2147483647 @@\n-x\n", "Line 1", DisplayName = "int max counts")]
    [DataRow("@@ -100000000,1 +100000000,1 @@\n-x\n", "Line 1", DisplayName = "at the bound")]
    [DataRow("@@ -0000000000000000000001 +1 @@\n-x\n", "Line 2", DisplayName = "many leading zeros")]
    [DataRow("@@ --1 +1 @@\n", "Line 1", DisplayName = "negative old start")]
    [DataRow("@@ -1 +-1 @@\n", "Line 1", DisplayName = "negative new start")]
    [DataRow("@@ -1,-1 +1 @@\n", "Line 1", DisplayName = "negative count")]
    [DataRow("@@ -1, +1 @@\n", "Line 1", DisplayName = "empty old count")]
    [DataRow("@@ -1 +1, @@\n", "Line 1", DisplayName = "empty new count")]
    [DataRow("@@ - +1 @@\n", "Line 1", DisplayName = "missing old start")]
    [DataRow("@@ -1 + @@\n", "Line 1", DisplayName = "missing new start")]
    [DataRow("@@ -1 @@\n", "Line 1", DisplayName = "missing new side")]
    [DataRow("@@ +1 -1 @@\n", "Line 1", DisplayName = "sides swapped")]
    [DataRow("@@ -1 +1\n", "Line 1", DisplayName = "unclosed header")]
    [DataRow("@@@ -1 +1 @@@\n", "Line 1", DisplayName = "combined-diff header")]
    [DataRow("@@ -1.5 +1 @@\n", "Line 1", DisplayName = "fraction")]
    [DataRow("@@ -1e3 +1 @@\n", "Line 1", DisplayName = "exponent")]
    [DataRow("@@ -0x10 +1 @@\n", "Line 1", DisplayName = "hex")]
    [DataRow("@@ -\u0661 +1 @@\n", "Line 1", DisplayName = "non-ASCII digit")]
    [DataRow("@@ -1 +1 @@", "Line 1", DisplayName = "header only, no newline")]
    [DataRow("@@\n", "Line 1", DisplayName = "bare @@")]
    [DataRow("@@ garbage @@\n", "Line 1", DisplayName = "garbage header")]
    [DataRow("@@ -0,1 +1,1 @@\n-x\n+y\n", "Line 1", DisplayName = "line zero with a count")]
    [DataRow("@@ -1,1 +5,1 @@\n-export default async function (req, ctx) {\n+x\n", "Line 1", DisplayName = "new start inconsistent")]
    [DataRow("@@ -1,3 +1,3 @@\n export default async function (req, ctx) {\n", "Line 1", DisplayName = "counts larger than the body")]
    [DataRow("@@ -1,1 +1,1 @@\n export default async function (req, ctx) {\n+extra\n-  const limit = 10;\n", "Line 3", DisplayName = "counts smaller than the body")]
    [DataRow("@@ -1,5 +1,5 @@\n export default async function (req, ctx) {\n@@ -3,1 +3,1 @@\n", "Line 1", DisplayName = "next hunk before this one is full")]
    [DataRow("@@ -1,20 +1,20 @@\n export default async function (req, ctx) {\n", "Line 1", DisplayName = "covers more than the source")]
    [DataRow("@@ -4,1 +4,1 @@\n-  return items.slice(0, limit);\n+x\n@@ -1,1 +1,1 @@\n-export default async function (req, ctx) {\n+y\n", "Line 4", DisplayName = "hunks out of order")]
    [DataRow("@@ -1,1 +1,1 @@\n\u0000export default async function (req, ctx) {\n", "Line 2", DisplayName = "NUL line kind")]
    [DataRow("@@ -1,1 +1,1 @@\n?export\n", "Line 2", DisplayName = "unknown line kind")]
    [DataRow("@@ -1,1 +1,1 @@\n-export default async function (req, ctx) {\n+y\ntrailing garbage\n", "Line 4", DisplayName = "garbage after the hunk")]
    public void Apply_MalformedHunk_IsRefusedNamingTheLine(string diff, string line)
    {
        var ex = Assert.ThrowsExactly<PatchException>(() => UnifiedDiff.Apply(Original, diff));

        StringAssert.Contains(ex.Message, line);
    }

    private static string MakeDiff(string original, string modified)
    {
        var directory = Directory.CreateTempSubdirectory("needle-diff").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "a.js"), original);
            File.WriteAllText(Path.Combine(directory, "b.js"), modified);
            using var diff = Process.Start(new ProcessStartInfo("diff", "-u a.js b.js") { WorkingDirectory = directory, RedirectStandardOutput = true })!;
            var output = diff.StandardOutput.ReadToEnd();
            diff.WaitForExit();
            Assert.AreEqual(1, diff.ExitCode, "diff found no difference");
            return output;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
