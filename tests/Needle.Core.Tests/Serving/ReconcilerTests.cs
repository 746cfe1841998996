using Microsoft.Extensions.DependencyInjection;
using Needle.Serving;
using Needle.Store;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Serving;

/// <summary>The reconciler through the real host: a change made here applies just its function, in one snapshot swap.</summary>
[TestClass]
public sealed class ReconcilerTests
{
    [TestMethod]
    public async Task ApplyFunction_DeployOfOneFunction_LeavesTheOtherFunctionsAsTheyWere()
    {
        await using var host = await TestHost.StartAsync();
        await host.DeployAsync("a", "export default async () => 'a1';");
        await host.DeployAsync("b", "export default async () => 'b1';");
        var reconciler = host.Services.GetRequiredService<Reconciler>();
        var before = reconciler.Snapshot;

        await host.DeployAsync("b", "export default async () => 'b2';");
        var after = reconciler.Snapshot;

        Assert.AreSame(before.Functions["a"], after.Functions["a"]);
        Assert.AreEqual(2, after.Functions["b"].Stable.Function.Version.Number);
        Assert.AreEqual(await host.Services.GetRequiredService<INeedleStore>().GetRevisionAsync(), after.Revision);
        Assert.AreEqual((200, "b2", "b@2"), await host.GetAsync("/fn/b"));
        Assert.IsTrue(before.Functions["b"].Loaded.ContainsKey(1) && after.Functions["b"].Loaded.ContainsKey(1), "the version it replaces stays warm");
    }

    [TestMethod]
    public async Task ApplyFromStore_ChangeMadeElsewhere_IsServedAtTheStoreRevision()
    {
        await using var host = await TestHost.StartAsync(o => o.PollInterval = TimeSpan.FromMilliseconds(100));
        await host.DeployAsync("a", "export default async () => 'a1';");
        var store = host.Services.GetRequiredService<INeedleStore>();
        var reconciler = host.Services.GetRequiredService<Reconciler>();

        var written = await store.AddVersionAsync(new NewVersion(
            "a", "export default async () => 'a2';", new Needle.Functions.FunctionManifest { Name = "a", Runtime = "javascript" }, "a2-hash", "test", Activate: true));
        var applied = await reconciler.ApplyFromStoreAsync();

        Assert.AreEqual(written.Revision, applied);
        Assert.AreEqual(written.Revision, reconciler.Snapshot.Revision);
        Assert.AreEqual((200, "a2", "a@2"), await host.GetAsync("/fn/a"));
    }
}
