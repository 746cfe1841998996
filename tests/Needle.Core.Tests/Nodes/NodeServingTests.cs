using Needle.Nodes;

namespace Needle.Tests.Nodes;

/// <summary>The compact form of what a node serves, as its heartbeat writes it in the node table.</summary>
[TestClass]
public sealed class NodeServingTests
{
    [TestMethod]
    public void Parse_StableCanaryAndKillSwitch_ReadsEachFunction()
    {
        var functions = NodeServing.Parse("hello=3+4,shop=2!,tiny-fn=12");

        CollectionAssert.AreEqual(
            new[] { new NodeFunction("hello", 3, 4, false), new NodeFunction("shop", 2, null, true), new NodeFunction("tiny-fn", 12, null, false) },
            functions.ToArray());
    }

    [TestMethod]
    [DataRow("", DisplayName = "empty (a node that never sent a heartbeat)")]
    [DataRow("hello", DisplayName = "no versions")]
    [DataRow("=3", DisplayName = "no name")]
    [DataRow("hello=x", DisplayName = "a stable version that is not a number")]
    [DataRow("hello=3+", DisplayName = "an empty canary")]
    [DataRow("hello=-3", DisplayName = "a negative version")]
    public void Parse_MalformedEntry_LeavesItOutAndReadsTheRest(string entry)
    {
        var functions = NodeServing.Parse(entry + ",shop=2");

        CollectionAssert.AreEqual(new[] { new NodeFunction("shop", 2, null, false) }, functions.ToArray());
    }
}
