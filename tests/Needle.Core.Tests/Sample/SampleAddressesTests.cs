using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
    public void Bound_PortZero_TakesThePortTheServerListensOn()
    {
        var backend = SampleAddresses.Backend(Configuration(), "http://127.0.0.1:0");
        var services = new ServiceCollection().AddSingleton<IServer>(new ListeningServer("http://127.0.0.1:43117")).BuildServiceProvider();

        Assert.AreEqual(new Uri("http://127.0.0.1:43117/backend/"), SampleAddresses.Bound(services, backend));
    }

    [TestMethod]
    public void Bound_FixedPort_IsLeftAsItIs()
    {
        var services = new ServiceCollection().AddSingleton<IServer>(new ListeningServer("http://127.0.0.1:43117")).BuildServiceProvider();

        Assert.AreEqual(new Uri("http://127.0.0.1:6001/backend/"), SampleAddresses.Bound(services, new Uri("http://127.0.0.1:6001/backend/")));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    // Only what Bound reads of a server: the addresses it listens on.
    private sealed class ListeningServer : IServer
    {
        public ListeningServer(string address)
        {
            var addresses = new ServerAddressesFeature();
            addresses.Addresses.Add(address);
            Features.Set<IServerAddressesFeature>(addresses);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public void Dispose()
        {
        }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
