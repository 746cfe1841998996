// A C# function: compiled by Roslyn when it deploys, run at full JIT speed in its own load context.
// Edit and save while the sample runs: the new version serves as soon as it compiles (a few milliseconds).
public sealed class Greeter : INeedleFunction
{
    public async Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
    {
        var name = request.RouteValues["name"]?.ToString() ?? "you";
        var greeting = context.Config.TryGetProperty("greeting", out var g) ? g.GetString() : "Hello";

        // ctx.fetch's C# twin: only services the host registered and this manifest lists.
        var user = await context.FetchAsync("http://backend/users/1");
        var backend = user.IsSuccess ? user.Json<JsonObject>()?["name"]?.GetValue<string>() : null;

        context.Log.Info($"greeted {name}");
        return new { message = $"{greeting}, {name}!", runtime = "csharp", backendSays = backend };
    }
}
