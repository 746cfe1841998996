using System.Text.Json.Nodes;
using Needle.Functions;
using Needle.Runtime;
using static Needle.Tests.Runtime.CSharp.CSharpTestHost;

namespace Needle.Tests.Runtime.CSharp;

[TestClass]
public sealed class CSharpRuntimeTests
{
    [TestMethod]
    public async Task InvokeAsync_PlainObject_ReturnsCamelCaseJson()
    {
        await using var function = await LoadAsync(Handler("return new { Message = \"hi\", Count = 2 };"));

        var response = await InvokeAsync(function);

        Assert.AreEqual(200, response.StatusCode);
        Assert.AreEqual("""{"message":"hi","count":2}""", response.BodyText);
        StringAssert.StartsWith(response.ContentType, "application/json");
    }

    [TestMethod]
    public async Task InvokeAsync_String_ReturnsText()
    {
        await using var function = await LoadAsync(Handler("return \"plain\";"));

        var response = await InvokeAsync(function);

        Assert.AreEqual("plain", response.BodyText);
        StringAssert.StartsWith(response.ContentType, "text/plain");
    }

    [TestMethod]
    public async Task InvokeAsync_Null_Returns204()
    {
        await using var function = await LoadAsync(Handler("return null;"));

        var response = await InvokeAsync(function);

        Assert.AreEqual(204, response.StatusCode);
        Assert.IsNull(response.Body);
    }

    [TestMethod]
    public async Task InvokeAsync_FunctionResponse_IsSentAsItIs()
    {
        await using var function = await LoadAsync(Handler("""return new FunctionResponse { StatusCode = 201, Headers = [new("x-a", "b")], Body = "made", ContentType = "text/plain" };"""));

        var response = await InvokeAsync(function);

        Assert.AreEqual(201, response.StatusCode);
        Assert.AreEqual("made", response.BodyText);
        Assert.AreEqual("b", response.Headers.Single(h => h.Key == "x-a").Value);
    }

    [TestMethod]
    public async Task InvokeAsync_ConfigRequestIdAndLog_AreTheContexts()
    {
        var source = Handler("""
            context.Log.Info("seen " + context.RequestId);
            return new { size = context.Config.GetProperty("pageSize").GetInt32(), id = context.RequestId, fn = context.Function };
            """);
        await using var function = await LoadAsync(source, config: new JsonObject { ["pageSize"] = 20 });
        var logs = new List<FunctionLogEntry>();

        var response = await InvokeAsync(function, logs: logs);

        Assert.AreEqual("""{"size":20,"id":"req-1","fn":"hello"}""", response.BodyText);
        Assert.AreEqual("seen req-1", logs.Single().Message);
        Assert.AreEqual("info", logs.Single().Level);
    }

    [TestMethod]
    public async Task InvokeAsync_RouteValuesAndQuery_AreReadable()
    {
        await using var function = await LoadAsync(Handler("""return $"{request.RouteValues["name"]}/{request.Query["q"]}";"""));
        var request = new FunctionRequest
        {
            Method = "GET",
            Path = "/greet/ada",
            RouteValues = new() { ["name"] = "ada" },
            Query = new Microsoft.AspNetCore.Http.QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["q"] = "x" }),
        };

        var response = await InvokeAsync(function, request);

        Assert.AreEqual("ada/x", response.BodyText);
    }
}
