using System.Text.Json.Nodes;

namespace Needle.Testing;

/// <summary>
/// Functions with test cases for the quality stage's tests (Core's and Rollback's): a user lookup that fetches
/// <c>http://backend/users/{id}</c> and upper-cases the name, in JavaScript and C#, with cases that stub the fetch.
/// </summary>
public static class TestCaseSamples
{
    /// <summary>The JavaScript user lookup; <paramref name="transform"/> is the expression applied to the fetched name.</summary>
    public static string JavaScriptUser(string transform = "user.name.toUpperCase()") => $$"""
        export default async (req, ctx) => {
          const r = await ctx.fetch(`http://backend/users/${req.params.id}`);
          if (r.status !== 200) return { status: 404, body: { error: 'no such user' } };
          const user = await r.json();
          ctx.log.info('looked up', user.name);
          return { status: 200, headers: { 'x-source': 'backend' }, body: { id: user.id, name: {{transform}} } };
        };
        """;

    /// <summary>The same lookup in C#; <paramref name="transform"/> is the C# expression applied to <c>name</c>.</summary>
    public static string CSharpUser(string transform = "name.ToUpperInvariant()") => $$"""
        using System.Text.Json;
        public sealed class H : INeedleFunction
        {
            public async Task<object?> InvokeAsync(FunctionRequest r, FunctionContext c)
            {
                var res = await c.FetchAsync("http://backend/users/" + r.RouteValues["id"]);
                if (res.Status != 200) return new FunctionResponse { StatusCode = 404, Body = "{\"error\":\"no such user\"}", ContentType = "application/json" };
                var user = res.Json<JsonElement>();
                var name = user.GetProperty("name").GetString()!;
                c.Log.Info("looked up " + name);
                return new FunctionResponse
                {
                    StatusCode = 200,
                    Headers = [new("x-source", "backend")],
                    Body = JsonSerializer.Serialize(new { id = user.GetProperty("id").GetInt32(), name = {{transform}} }, c.JsonOptions),
                    ContentType = "application/json",
                };
            }
        }
        """;

    /// <summary>Two cases for the user lookup: a found user (stubbed), and a missing one (stubbed 404).</summary>
    public static JsonArray UserCases() => (JsonArray)JsonNode.Parse("""
        [
          {
            "name": "upper-cases the name",
            "request": { "params": { "id": "5" } },
            "fetch": [ { "url": "http://backend/users/5", "body": { "id": 5, "name": "ada" } } ],
            "expect": { "status": 200, "headers": { "x-source": "backend" }, "body": { "id": 5, "name": "ADA" }, "jsonPath": { "$.name": "ADA" } }
          },
          {
            "name": "answers 404 for a missing user",
            "request": { "params": { "id": "9" } },
            "fetch": [ { "url": "http://backend/users/9", "status": 404, "body": "" } ],
            "expect": { "status": 404, "bodySubset": { "error": "no such user" } }
          }
        ]
        """)!;

    /// <summary>A manifest for the user lookup with <paramref name="tests"/> (default: <see cref="UserCases"/>).</summary>
    public static JsonObject UserManifest(string runtime = "javascript", JsonArray? tests = null) => new()
    {
        ["route"] = "/user/{id}",
        ["runtime"] = runtime,
        ["services"] = new JsonArray("backend"),
        ["tests"] = tests ?? UserCases(),
    };
}
