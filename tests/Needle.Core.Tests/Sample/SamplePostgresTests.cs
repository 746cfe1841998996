using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Needle.Tests.Sample;

/// <summary>The sample host with <c>ConnectionStrings:NeedlePostgres</c> set: its functions live in PostgreSQL.</summary>
[TestClass]
public sealed class SamplePostgresTests
{
    [TestMethod]
    public async Task Sample_NeedlePostgresSet_ServesFromPostgres()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var port = FreePort.Next();
        using var directory = TemporaryDirectory.Create("needle-sample-tests");
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseContentRoot(AppContext.BaseDirectory)
            .UseSetting("ConnectionStrings:NeedlePostgres", database)
            .UseSetting("ConnectionStrings:Needle", $"Data Source={directory.Combine("needle.db")}")
            .UseSetting("Needle:FunctionsPath", Path.Combine(AppContext.BaseDirectory, "functions"))
            .UseSetting("Urls", $"http://127.0.0.1:{port}"));
        factory.UseKestrel();
        factory.StartServer();
        using var client = factory.CreateClient();

        var json = JsonNode.Parse(await client.GetStringAsync("/fn/hello?name=Ada"))!;

        Assert.AreEqual("Hello, Ada!", json["message"]!.GetValue<string>());
        await using var connection = new NpgsqlConnection(database);
        Assert.IsGreaterThan(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM versions WHERE function = 'hello'"));
        Assert.IsFalse(File.Exists(directory.Combine("needle.db")), "nothing went to SQLite");
    }
}
