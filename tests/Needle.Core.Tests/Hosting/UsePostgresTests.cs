using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Needle.Hosting;

namespace Needle.Tests.Hosting;

/// <summary><c>UsePostgres</c> at start: a bad connection string or listener option is a clear start error that never prints the password.</summary>
[TestClass]
public sealed class UsePostgresTests
{
    [TestMethod]
    [DataRow("Host=db;Frobnicate=1;Password=secret-pw", "Postgres.ConnectionString is not a valid PostgreSQL connection string", DisplayName = "an unknown keyword")]
    [DataRow("Database=needle;Password=secret-pw", "Postgres.ConnectionString names no Host", DisplayName = "no host")]
    [DataRow("Host=db;Port=eighty;Password=secret-pw", "Postgres.ConnectionString is not a valid PostgreSQL connection string", DisplayName = "a port that is not a number")]
    public async Task Start_BadConnectionString_FailsNamingTheOptionNotThePassword(string connectionString, string expected)
    {
        await using var app = Build(o => o.UsePostgres(connectionString));

        var ex = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => app.StartAsync());

        StringAssert.Contains(ex.Message, expected);
        Assert.DoesNotContain("secret-pw", ex.Message);
    }

    [TestMethod]
    public async Task Start_BadListenerOptions_FailsNamingEach()
    {
        await using var app = Build(o => o.UsePostgres("Host=db", p =>
        {
            p.ListenerConnectionString = "Host=db;Nonsense=2";
            p.ListenerKeepAlive = TimeSpan.Zero;
            p.ListenerMaxReconnectDelay = TimeSpan.FromHours(1);
        }));

        var ex = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => app.StartAsync());

        StringAssert.Contains(ex.Message, "Postgres.ListenerConnectionString is not a valid PostgreSQL connection string");
        StringAssert.Contains(ex.Message, "Postgres.ListenerKeepAlive");
        StringAssert.Contains(ex.Message, "Postgres.ListenerMaxReconnectDelay");
    }

    [TestMethod]
    public async Task Start_ServerUnreachable_FailsNamingTheServer()
    {
        var port = FreePort.Next();
        await using var app = Build(o => o.UsePostgres($"Host=127.0.0.1;Port={port};Database=needle;Username=u;Password=secret-pw;Timeout=5"));

        var ex = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => app.StartAsync());

        StringAssert.Contains(ex.Message, $"host '127.0.0.1', port {port}, database 'needle'");
        Assert.DoesNotContain("secret-pw", ex.Message);
    }

    [TestMethod]
    public void UseSqlite_AfterUsePostgres_LeavesNoPostgresOptions()
    {
        var options = new NeedleOptions().UsePostgres("Host=db").UseSqlite("Data Source=needle.db");

        Assert.IsNull(options.Postgres);
    }

    private static WebApplication Build(Action<NeedleOptions> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNeedle(configure);
        return builder.Build();
    }
}
