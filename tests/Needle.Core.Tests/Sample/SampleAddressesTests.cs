using Microsoft.Extensions.Configuration;
using Needle.Sample;

namespace Needle.Tests.Sample;

[TestClass]
public sealed class SampleAddressesTests
{
    [TestMethod]
    public void ListenUrl_NothingConfigured_IsTheDocumentedDefault()
    {
        Assert.AreEqual("http://127.0.0.1:5080", SampleAddresses.ListenUrl(Configuration()));
    }

    [TestMethod]
    public void ListenUrl_UrlsConfigured_WinsOverTheDefault()
    {
        Assert.AreEqual("http://127.0.0.1:6001", SampleAddresses.ListenUrl(Configuration(("urls", "http://127.0.0.1:6001"))));
    }

    [TestMethod]
    [DataRow("http://127.0.0.1:6001", "http://127.0.0.1:6001/backend/")]
    [DataRow("http://localhost:6002;https://localhost:6003", "http://localhost:6002/backend/")]
    [DataRow("http://*:6004", "http://127.0.0.1:6004/backend/")]
    [DataRow("http://+:6005", "http://127.0.0.1:6005/backend/")]
    [DataRow("http://0.0.0.0:6006", "http://127.0.0.1:6006/backend/")]
    [DataRow("http://[::]:6007", "http://127.0.0.1:6007/backend/")]
    public void Backend_FollowsTheFirstListenAddress(string listen, string expected)
    {
        Assert.AreEqual(new Uri(expected), SampleAddresses.Backend(Configuration(), listen));
    }

    [TestMethod]
    public void Backend_NeedleBackendConfigured_WinsOverTheListenAddress()
    {
        var backend = SampleAddresses.Backend(Configuration(("Needle:Backend", "http://backend.internal/api/")), "http://127.0.0.1:6001");

        Assert.AreEqual(new Uri("http://backend.internal/api/"), backend);
    }

    [TestMethod]
    public void Backend_PortZero_ThrowsSayingWhatToSet()
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => SampleAddresses.Backend(Configuration(), "http://127.0.0.1:0"));

        StringAssert.Contains(error.Message, "Needle:Backend");
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
