using Needle.Functions;

namespace Needle.Tests.Functions;

[TestClass]
public sealed class VersionKeyTests
{
    [TestMethod]
    public void ToString_NameAndNumber_IsNameAtNumber()
    {
        var key = new VersionKey("shop-api", 12);

        var text = key.ToString();

        Assert.AreEqual("shop-api@12", text);
        Assert.AreEqual("shop-api@12", $"{key}");
    }

    [TestMethod]
    public void Parse_ItsOwnText_RoundTrips()
    {
        var key = new VersionKey("hello", 3);

        var parsed = VersionKey.Parse(key.ToString());

        Assert.AreEqual(key, parsed);
    }

    [TestMethod]
    [DataRow(null, DisplayName = "null")]
    [DataRow("", DisplayName = "empty")]
    [DataRow("hello", DisplayName = "no number")]
    [DataRow("hello@", DisplayName = "empty number")]
    [DataRow("@3", DisplayName = "no name")]
    [DataRow("hello@0", DisplayName = "zero")]
    [DataRow("hello@-1", DisplayName = "negative")]
    [DataRow("hello@ 3", DisplayName = "space")]
    [DataRow("Hello@3", DisplayName = "not a function name")]
    [DataRow("hello@3x", DisplayName = "trailing text")]
    [DataRow("hello@99999999999", DisplayName = "number too large")]
    public void TryParse_NotAVersionKey_IsFalse(string? text)
    {
        var parsed = VersionKey.TryParse(text, out var key);

        Assert.IsFalse(parsed);
        Assert.AreEqual(default, key);
    }

    [TestMethod]
    public void Parse_NotAVersionKey_ThrowsNamingTheText()
    {
        var error = Assert.ThrowsExactly<FormatException>(() => VersionKey.Parse("hello@x"));

        StringAssert.Contains(error.Message, "'hello@x'");
    }

    [TestMethod]
    public void FunctionVersion_Label_IsItsKey()
    {
        var version = new FunctionVersion("hello", 7, "export default () => 1", new FunctionManifest(), "hash", "alice", DateTimeOffset.UnixEpoch, null);

        Assert.AreEqual(new VersionKey("hello", 7), version.Key);
        Assert.AreEqual(version.Key.ToString(), version.Label);
    }
}
