using Needle.Runtime;
using Needle.Runtime.CSharp;

namespace Needle.Tests.Runtime.CSharp;

[TestClass]
public sealed class CSharpImageTests
{
    [TestMethod]
    public void FromArtifact_WhatToArtifactWrote_GivesTheSameAssemblyAndWarnings()
    {
        FunctionDiagnostic[] warnings =
        [
            new("CS0219: The variable 'x' is assigned but its value is never used", 6, 13, "warning") { Code = "CS0219" },
            new("no code \"quoted\" ünïcode", 0, 0, "warning"),
        ];
        var image = new CSharpImage([0x4d, 0x5a, 1, 2, 3], warnings);

        var read = CSharpImage.FromArtifact(image.ToArtifact());

        CollectionAssert.AreEqual(image.Assembly, read.Assembly);
        CollectionAssert.AreEqual(warnings, read.Warnings.ToArray());
    }

    [TestMethod]
    [DataRow(new byte[] { 0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0 }, DisplayName = "a bare PE image")]
    [DataRow(new byte[] { (byte)'N', (byte)'D', (byte)'L', (byte)'W', 200, 0, 0, 0, (byte)'[' }, DisplayName = "warnings cut short")]
    [DataRow(new byte[] { (byte)'N', (byte)'D', (byte)'L', (byte)'W', 1, 0, 0, 0, (byte)'{' }, DisplayName = "warnings not JSON")]
    public void FromArtifact_SomethingElse_ThrowsBadImageFormat(byte[] artifact)
    {
        Assert.ThrowsExactly<BadImageFormatException>(() => CSharpImage.FromArtifact(artifact));
    }
}
