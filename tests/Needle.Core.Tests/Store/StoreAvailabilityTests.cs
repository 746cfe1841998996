using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Needle.Store;
using Needle.Store.Postgres;

namespace Needle.Tests.Store;

/// <summary>
/// The store's outage state: once its database cannot be reached, calls fail at once with
/// <see cref="NeedleStoreUnavailableException"/> instead of each waiting on the network, one call per probe interval
/// tries again, and a success ends the outage.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class StoreAvailabilityTests
{
    [TestMethod]
    public void ThrowIfUnavailable_AfterAFailure_FailsUntilOneCallProbesAfterTheInterval()
    {
        // Arrange
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var availability = new StoreAvailability(time, TimeSpan.FromSeconds(2));
        var changes = new List<Exception?>();
        availability.Changed += changes.Add;

        // Act
        availability.ReportFailure(new TimeoutException("no answer"));
        var during = Assert.ThrowsExactly<NeedleStoreUnavailableException>(availability.ThrowIfUnavailable);
        time.Advance(TimeSpan.FromSeconds(2));
        availability.ThrowIfUnavailable(); // the probe goes through
        Assert.ThrowsExactly<NeedleStoreUnavailableException>(availability.ThrowIfUnavailable); // the others do not
        availability.ReportFailure(new TimeoutException("still no answer"));
        availability.ReportSuccess();
        availability.ThrowIfUnavailable();

        // Assert
        StringAssert.Contains(during.Message, "no answer");
        Assert.AreEqual(TimeSpan.FromSeconds(2), during.RetryAfter);
        Assert.AreEqual(time.GetUtcNow() - TimeSpan.FromSeconds(2), during.Since);
        Assert.IsTrue(availability.IsAvailable);
        Assert.AreEqual(2, changes.Count, "one change to unavailable (however many failures), one back");
        Assert.IsNotNull(changes[0]);
        Assert.IsNull(changes[1]);
    }

    [TestMethod]
    public async Task GetRevisionAsync_ServerThatNeverAnswers_FirstCallTimesOutThenCallsFailAtOnce()
    {
        // Arrange: a socket that accepts connections (the kernel's backlog) and never says a word, like a server
        // behind a dropped route.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var availability = new StoreAvailability(TimeProvider.System, TimeSpan.FromMinutes(1));
        using var store = new PostgresNeedleStore($"Host=127.0.0.1;Port={port};Database=needle;Username=u;Password=pw;Timeout=1", TimeProvider.System, availability);

        // Act
        var first = Stopwatch.StartNew();
        var firstError = await Assert.ThrowsExactlyAsync<NeedleStoreUnavailableException>(() => store.GetRevisionAsync());
        first.Stop();
        var then = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsExactlyAsync<NeedleStoreUnavailableException>(() => store.ListFunctionsAsync());
        }

        then.Stop();

        // Assert: the connect timeout once, then no waiting at all (generous bounds: the machine is shared).
        Assert.IsTrue(first.Elapsed < TimeSpan.FromSeconds(15), $"the first call took {first.Elapsed}");
        Assert.IsNotNull(firstError.InnerException, "the database's own error is kept");
        Assert.IsTrue(then.Elapsed < TimeSpan.FromSeconds(1), $"20 calls during the outage took {then.Elapsed}");
        Assert.IsFalse(availability.IsAvailable);
    }

    [TestMethod]
    public async Task GetRevisionAsync_StoreWithoutAvailability_ThrowsTheDatabasesOwnError()
    {
        // Arrange: nothing listens on the port.
        using var store = new PostgresNeedleStore($"Host=127.0.0.1;Port={FreePort.Next()};Database=needle;Username=u;Password=pw;Timeout=5", TimeProvider.System);

        // Act
        var error = await Assert.ThrowsAsync<Exception>(() => store.GetRevisionAsync());

        // Assert: without an availability (a store built by hand) nothing is translated.
        Assert.IsNotInstanceOfType<NeedleStoreUnavailableException>(error);
    }

    [TestMethod]
    public async Task GetRevisionAsync_PooledConnectionsBlackHoled_FailWithinTheCommandTimeoutThenAtOnce()
    {
        // Arrange: a migrated store whose pooled connections go through a proxy that then drops every packet, old
        // connections and new ones alike (no FIN, no RST: a route gone).
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var proxy = TcpProxy.ForPostgres(database);
        var options = new Needle.Hosting.PostgresStoreOptions
        {
            ConnectionString = proxy.Through(database),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            CommandTimeout = TimeSpan.FromSeconds(2),
        };
        var availability = new StoreAvailability(TimeProvider.System, TimeSpan.FromSeconds(1));
        using var store = new PostgresNeedleStore(options.StoreConnectionString(), TimeProvider.System, availability);
        await store.InitializeAsync();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.GetRevisionAsync())); // several pooled connections
        proxy.BlackHole();
        proxy.BlackHoleNew = true;

        // Act
        var first = Stopwatch.StartNew();
        var error = await Assert.ThrowsExactlyAsync<NeedleStoreUnavailableException>(() => store.ListFunctionsAsync());
        first.Stop();
        var during = Stopwatch.StartNew();
        await Assert.ThrowsExactlyAsync<NeedleStoreUnavailableException>(() => store.GetRevisionAsync());
        during.Stop();
        await Task.Delay(availability.ProbeInterval + TimeSpan.FromMilliseconds(200));
        var probe = Stopwatch.StartNew();
        await Assert.ThrowsExactlyAsync<NeedleStoreUnavailableException>(() => store.GetRevisionAsync()); // a new connection: its open times out
        probe.Stop();

        // Assert: the command timeout (2 s) plus Npgsql's cancellation wait (2 s) at most, then no waiting; the probe
        // through a black-holed new connection within the connect timeout (generous bounds: the machine is shared).
        System.Console.WriteLine($"first call {first.Elapsed.TotalMilliseconds:F0} ms, during {during.Elapsed.TotalMilliseconds:F0} ms, probe {probe.Elapsed.TotalMilliseconds:F0} ms");
        Assert.IsLessThan(TimeSpan.FromSeconds(10), first.Elapsed, "a call on a black-holed pooled connection ends near its command timeout");
        Assert.IsNotNull(error.InnerException);
        Assert.IsLessThan(TimeSpan.FromSeconds(1), during.Elapsed);
        Assert.IsLessThan(TimeSpan.FromSeconds(10), probe.Elapsed, "the probe's open of a black-holed connection ends near the connect timeout");
    }
}
