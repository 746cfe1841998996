using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Needle.ControlPlane;
using Needle.Rollback.ControlPlane;
using Needle.Rollback.Tests.Infrastructure;

namespace Needle.Rollback.Tests.ControlPlane;

[TestClass]
public sealed class EmergencyEndpointTests
{
    [TestMethod]
    [DataRow("/needle/api/functions/{name}/patches")]
    [DataRow("/needle/api/functions/{name}/rollback")]
    public async Task MapNeedleApi_WithRollback_MapsOneEndpointPerOperation(string route)
    {
        await using var host = await RollbackTestHost.StartAsync();

        var endpoints = host.Get<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => "/" + e.RoutePattern.RawText?.TrimStart('/') == route)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .ToList();

        Assert.HasCount(1, endpoints, string.Join(", ", endpoints.Select(e => e.DisplayName)));
        Assert.AreEqual(0, endpoints[0].Order);
        Assert.IsInstanceOfType<JobEmergencyActions>(host.Get<IEmergencyActions>());
    }

    [TestMethod]
    public async Task OpenApi_WithRollback_DescribesPatchAndRollbackOnceWithTheAsyncFlag()
    {
        await using var host = await RollbackTestHost.StartAsync();

        var document = await host.Client.GetFromJsonAsync<JsonNode>("/needle/api/openapi/needle.json");
        var paths = document!["paths"]!.AsObject();
        var rollback = paths["/needle/api/functions/{name}/rollback"]!["post"]!;

        Assert.AreEqual("NeedlePatch", paths["/needle/api/functions/{name}/patches"]!["post"]!["operationId"]!.GetValue<string>());
        Assert.AreEqual("NeedleRollback", rollback["operationId"]!.GetValue<string>());
        Assert.IsTrue(rollback["parameters"]!.AsArray().Any(p => p!["name"]!.GetValue<string>() == "async"), rollback.ToJsonString());
    }

    [TestMethod]
    public async Task Patch_ThroughCoresEndpoint_IsAcceptedAsAJobWithTheRunsLocation()
    {
        await using var host = await RollbackTestHost.StartAsync(health: new FixedHealthSource());
        var hash = await host.DeployOrdersAsync();

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/patches", new { baseHash = hash, source = "export default () => ({ v: 2 });\n", reason = "through core" });
        var run = await response.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.AreEqual($"/needle/api/patches/{run!["id"]!.GetValue<string>()}", response.Headers.Location!.OriginalString);
        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.GetAsync(response.Headers.Location)).StatusCode);
    }

    [TestMethod]
    public async Task Rollback_AsyncInTheBody_IsAcceptedAsAJob()
    {
        await using var host = await RollbackTestHost.StartAsync();
        await host.DeployOrdersAsync();
        await host.DeployOrdersAsync("export default () => ({ v: 2 });\n");

        using var response = await host.Client.PostAsJsonAsync("/needle/api/functions/orders/rollback", new { reason = "as a job", async = true });
        var accepted = await response.Content.ReadFromJsonAsync<JsonNode>();
        await Eventually.WaitAsync(async () => (await host.ReleaseAsync())["stableVersion"]!.GetValue<int>() == 1, "the rollback job");

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode);
        Assert.AreEqual("orders", accepted!["function"]!.GetValue<string>());
        Assert.IsFalse(string.IsNullOrEmpty(accepted["jobId"]!.GetValue<string>()));
    }
}
