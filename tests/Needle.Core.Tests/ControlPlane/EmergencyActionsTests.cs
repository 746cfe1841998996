using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Needle.ControlPlane;
using Needle.Patching;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.ControlPlane;

[TestClass]
public sealed class EmergencyActionsTests
{
    [TestMethod]
    public async Task AddNeedle_WithoutOtherPackages_RegistersTheSynchronousActions()
    {
        await using var host = await TestHost.StartAsync();

        Assert.IsInstanceOfType<SynchronousEmergencyActions>(host.Services.GetRequiredService<IEmergencyActions>());
    }

    [TestMethod]
    public async Task Rollback_AsyncWithoutAJobRunner_StillRollsBackBeforeAnswering()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("shop", "export default () => 'v1';");
        await host.DeployAsync("shop", "export default () => 'v2';");

        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback?async=true", new { reason = "no jobs here" });
        var release = await rollback.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.OK, rollback.StatusCode);
        Assert.AreEqual(1, release!["stableVersion"]!.GetValue<int>());
        Assert.AreEqual("v1", (await host.GetAsync("/fn/shop")).Body);
    }

    [TestMethod]
    public async Task PatchAndRollback_ReplacedActions_AnswerWhatTheyReturnWithTheLocationUnderThePrefix()
    {
        var recorder = new RecordingActions();
        await using var host = await TestHost.StartAsync(needle: b => b.Services.Replace(ServiceDescriptor.Singleton<IEmergencyActions>(recorder)));

        using var patch = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/patches", new { baseHash = "h", source = "x", reason = "r" });
        using var rollback = await host.Client.PostAsJsonAsync("/needle/api/functions/shop/rollback?async=true", new { to = 3, reason = "r" });
        var body = await patch.Content.ReadFromJsonAsync<JsonNode>();

        Assert.AreEqual(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.AreEqual("/needle/api/patches/p-1", patch.Headers.Location!.OriginalString);
        Assert.AreEqual("shop", body!["function"]!.GetValue<string>());
        Assert.AreEqual(HttpStatusCode.Accepted, rollback.StatusCode);
        Assert.IsNull(rollback.Headers.Location);
        CollectionAssert.AreEqual(new[] { "patch shop source by local", "rollback shop to 3 async True" }, recorder.Calls.ToArray());
    }

    private sealed class RecordingActions : IEmergencyActions
    {
        public List<string> Calls { get; } = [];

        public Task<EmergencyOutcome> PatchAsync(string function, PatchRequest patch, string actor, CancellationToken cancellationToken)
        {
            Calls.Add($"patch {function} {(patch.Source is null ? "?" : "source")} by {actor}");
            return Task.FromResult(EmergencyOutcome.Accepted(new { function, id = "p-1" }, "patches/p-1"));
        }

        public Task<EmergencyOutcome> RollbackAsync(string function, RollbackRequest rollback, string actor, CancellationToken cancellationToken)
        {
            Calls.Add($"rollback {function} to {rollback.To} async {rollback.Async}");
            return Task.FromResult(EmergencyOutcome.Accepted(new { function }));
        }
    }
}
