using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.ControlPlane;

/// <summary>The audit trail's wording, which the services write and every store records as given.</summary>
[TestClass]
public sealed class ReleaseAuditTests
{
    [TestMethod]
    public async Task Audit_DeploysAndReleaseMoves_SayWhatServesAfterEach()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", "export default () => 'v1';");
        using var canary = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/versions", new { source = "export default () => 'v2';", canary = new { weight = 25 } });
        using var promote = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/promote", new { reason = "good" });
        using var parked = await host.TryDeployAsync("shop", "export default () => 'v3';", activate: false);
        using var release = await host.Client.PutAsJsonAsync("/needle/api/functions/shop/release", new { canaryVersion = 3, canaryWeight = 12.5 });

        var audit = await host.Client.GetFromJsonAsync<JsonArray>("/needle/api/audit?function=shop");

        var details = audit!.Reverse().Select(e => $"{e!["action"]}:{e["version"]}:{e["detail"]?.GetValue<string>() ?? "-"}").ToArray();
        CollectionAssert.AreEqual(
            new[] { "deploy:1:activated", "deploy:2:canary at 25%", "promote:2:stable 2", "deploy:3:-", "canary:3:stable 2, canary 3 at 12.5%" },
            details,
            string.Join(" | ", details));
    }
}
