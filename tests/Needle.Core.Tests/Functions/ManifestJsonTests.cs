using System.Text.Json.Nodes;
using Needle.Functions;

namespace Needle.Tests.Functions;

[TestClass]
public sealed class ManifestJsonTests
{
    [TestMethod]
    public void Serialize_PartialManifest_WritesCamelCaseWithoutNulls()
    {
        var manifest = new FunctionManifest { Name = "hello", Limits = new FunctionLimits { TimeoutMs = 100 } };

        var json = ManifestJson.Serialize(manifest);

        Assert.AreEqual("""{"name":"hello","limits":{"timeoutMs":100}}""", json);
    }

    [TestMethod]
    public void Deserialize_HandWrittenJson_AcceptsCommentsTrailingCommasAndAnyCase()
    {
        const string json = """
            {
              // written by hand
              "Name": "hello",
              "ROUTE": "/hi",
              "methods": ["GET",],
              "config": { "greeting": "hi" },
            }
            """;

        var manifest = ManifestJson.Deserialize(json);

        Assert.AreEqual("hello", manifest.Name);
        Assert.AreEqual("/hi", manifest.Route);
        CollectionAssert.AreEqual(new[] { "GET" }, manifest.Methods!.ToArray());
        Assert.AreEqual("hi", (string?)manifest.Config!["greeting"]);
    }

    [TestMethod]
    public void Serialize_ThenDeserialize_RoundTrips()
    {
        var manifest = new FunctionManifest
        {
            Name = "hello",
            Route = "/hello/{id}",
            Methods = ["GET", "POST"],
            Runtime = FunctionRuntimes.JavaScript,
            Limits = new FunctionLimits { MemoryMb = 32, MaxConcurrency = 4 },
            Config = new JsonObject { ["n"] = 1 },
            Services = ["users"],
            Guard = new FunctionGuard { ErrorRatioDelta = 0.1, ConsecutiveBreaches = 1 },
        };

        var copy = ManifestJson.Deserialize(ManifestJson.Serialize(manifest));

        Assert.AreEqual(ManifestJson.Serialize(manifest), ManifestJson.Serialize(copy));
    }

    [TestMethod]
    public void Deserialize_Null_Throws()
    {
        Assert.ThrowsExactly<System.Text.Json.JsonException>(() => ManifestJson.Deserialize("null"));
    }
}
