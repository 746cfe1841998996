using System.Net.Http.Json;
using Needle.Patching;
using Needle.Releases;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Releases;

/// <summary>Core's public surface for the packages beside it (<see cref="INeedleReleases"/>, <see cref="INeedleServingState"/>), through a real host.</summary>
[TestClass]
public sealed class NeedleReleasesTests
{
    [TestMethod]
    public async Task RollbackAsync_ReleaseMovedOnSinceTheExpectedOne_ThrowsConflictAndTheReleaseStays()
    {
        await using var host = await TestHost.StartAsync();
        var releases = host.Get<INeedleReleases>();
        await host.DeployAsync("pay", "export default () => 'v1';");
        await host.DeployAsync("pay", "export default () => 'v2';");
        var decidedOn = (await releases.GetCurrentAsync("pay"))!;
        await host.DeployAsync("pay", "export default () => 'v3';");

        var refused = await Assert.ThrowsExactlyAsync<NeedleConflictException>(() =>
            releases.RollbackAsync("pay", null, "test", "stale", new ReleaseExpectation(ReleaseId: decidedOn.Id)));
        var served = await host.GetAsync("/fn/pay");

        StringAssert.Contains(refused.Message, $"changed since release {decidedOn.Id}");
        Assert.AreEqual("v3", served.Body);
        Assert.AreEqual(3, (await releases.GetCurrentAsync("pay"))!.StableVersion);
    }

    [TestMethod]
    public async Task RollbackAsync_ExpectedReleaseIsCurrent_ServesThePreviousVersionOnReturn()
    {
        await using var host = await TestHost.StartAsync();
        var releases = host.Get<INeedleReleases>();
        await host.DeployAsync("pay", "export default () => 'v1';");
        await host.DeployAsync("pay", "export default () => 'v2';");
        var current = (await releases.GetCurrentAsync("pay"))!;

        var release = await releases.RollbackAsync("pay", null, "test", "bad v2", new ReleaseExpectation(ReleaseId: current.Id, Stable: 2));
        var served = await host.GetAsync("/fn/pay");

        Assert.AreEqual(1, release.StableVersion);
        Assert.AreEqual("v1", served.Body);
        Assert.IsTrue(host.Get<INeedleServingState>().AppliedRevision >= release.Revision);
    }

    [TestMethod]
    public async Task CheckPatchAsync_SourceThatDoesNotLoad_ThrowsWithWhereAndAddsNoVersion()
    {
        await using var host = await TestHost.StartAsync();
        var releases = host.Get<INeedleReleases>();
        await host.DeployAsync("pay", "export default () => 'v1';");
        var hash = (await host.Api.GetFunctionAsync("pay")).Versions.Single().ContentHash;

        var refused = await Assert.ThrowsExactlyAsync<FunctionValidationException>(() =>
            releases.CheckPatchAsync("pay", new PatchRequest { BaseHash = hash, Source = "export default () => {", Reason = "fix" }));
        var checkedPatch = await releases.CheckPatchAsync("pay", new PatchRequest { BaseHash = hash, Source = "export default () => 'v2';", Reason = "fix" });

        Assert.IsTrue(refused.Diagnostics.Count > 0);
        Assert.AreEqual("source", checkedPatch.Kind);
        Assert.AreEqual(1, checkedPatch.Base.Number);
        Assert.AreEqual(1, (await host.Api.GetFunctionAsync("pay")).Versions.Count, "a check adds no version");
        Assert.AreEqual("v1", (await host.GetAsync("/fn/pay")).Body);
    }

    [TestMethod]
    public async Task GetFunctions_KillSwitchOn_SaysSoAndFindVersionGivesTheLoadedManifest()
    {
        await using var host = await TestHost.StartAsync();
        var serving = host.Get<INeedleServingState>();
        await host.DeployAsync("pay", "export default (req, ctx) => ctx.config.mode;", new { config = new { mode = "full" } });

        using var kill = await host.Client.PostAsJsonAsync("/needle/api/functions/pay/kill", new { fallback = new { status = 503 }, reason = "incident" });
        var function = serving.GetFunctions().Single();
        var version = serving.FindVersion("pay", 1);

        Assert.IsTrue(kill.IsSuccessStatusCode, await kill.Content.ReadAsStringAsync());
        Assert.IsTrue(function.KillSwitchOn);
        Assert.AreEqual("full", version?.Manifest.Config?["mode"]?.GetValue<string>());
        Assert.IsNull(serving.FindVersion("pay", 2));
    }
}
