using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Needle.Access;
using Needle.Functions;
using Needle.Hosting;
using Needle.Releases;
using Needle.Routing;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;
using Needle.Tests.Infrastructure;

namespace Needle.Tests.Releases;

[TestClass]
public sealed class ReleaseRouterTests
{
    private static readonly ServedVersion Stable = Served(1);
    private static readonly ServedVersion Canary = Served(2);
    private static readonly ServedVersion Warm = Served(0);
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSingleton(new LocalRequestRule(Options.Create(new NeedleOptions())))
        .BuildServiceProvider();

    [TestMethod]
    public void Choose_CanaryAtZeroPercent_AlwaysServesStable()
    {
        var router = Router();
        var entry = Entry(weight: 0);

        var canaries = Enumerable.Range(0, 10_000).Count(i => router.Choose(Request(user: $"user-{i}"), entry).Role == ReleaseRole.Canary);

        Assert.AreEqual(0, canaries);
    }

    [TestMethod]
    public void Choose_CanaryAtHundredPercent_AlwaysServesCanary()
    {
        var router = Router();
        var entry = Entry(weight: 100);

        var stables = Enumerable.Range(0, 10_000).Count(i => router.Choose(Request(user: $"user-{i}"), entry).Role == ReleaseRole.Stable);
        var anonymous = router.Choose(Request(), entry);

        Assert.AreEqual(0, stables);
        Assert.AreSame(Canary, anonymous.Version);
    }

    [TestMethod]
    public void Choose_TenPercentOver100000Keys_SharesWithinOnePercent()
    {
        var router = Router();
        var entry = Entry(weight: 10);

        var canaries = Enumerable.Range(0, 100_000).Count(i => router.Choose(Request(user: $"user-{i}"), entry).Role == ReleaseRole.Canary);

        Assert.IsTrue(canaries is >= 9_000 and <= 11_000, $"{canaries} of 100,000 got the canary");
    }

    [TestMethod]
    public void Choose_TenthOfAPercentWeight_IsHonoured()
    {
        var router = Router();
        var entry = Entry(weight: 0.1);

        var canaries = Enumerable.Range(0, 100_000).Count(i => router.Choose(Request(user: $"u{i}"), entry).Role == ReleaseRole.Canary);

        Assert.IsTrue(canaries is >= 50 and <= 150, $"{canaries} of 100,000 got the canary at 0.1 %");
    }

    [TestMethod]
    public void Choose_SameUser_KeepsTheSameVersionAcrossCalls()
    {
        var router = Router();
        var entry = Entry(weight: 50);

        for (var i = 0; i < 1_000; i++)
        {
            var first = router.Choose(Request(user: $"user-{i}"), entry).Role;
            for (var call = 0; call < 5; call++)
            {
                Assert.AreEqual(first, router.Choose(Request(user: $"user-{i}"), entry).Role);
            }
        }
    }

    [TestMethod]
    public void Choose_RaisingTheWeight_OnlyMovesUsersFromStableToCanary()
    {
        var router = Router();
        var users = Enumerable.Range(0, 20_000).Select(i => $"user-{i}").ToArray();
        var weights = new[] { 1, 5, 20, 50, 100 };
        var previous = new HashSet<string>();

        foreach (var weight in weights)
        {
            var entry = Entry(weight: weight);
            var canaryUsers = users.Where(u => router.Choose(Request(user: u), entry).Role == ReleaseRole.Canary).ToHashSet();

            Assert.IsTrue(previous.IsSubsetOf(canaryUsers), $"a canary user went back to stable when the weight rose to {weight}");
            previous = canaryUsers;
        }
    }

    [TestMethod]
    public void Bucket_IsTheSameAcrossProcessesAndRestarts()
    {
        // Fixed values, computed independently of .NET: a change here would move users between versions on an
        // upgrade, or send one user to different versions on nodes of different builds.
        Assert.AreEqual(9120, StickyHash.Bucket("hello", "user-1"));
        Assert.AreEqual(72887, StickyHash.Bucket("checkout", "42"));
        Assert.AreNotEqual(StickyHash.Bucket("hello", "user-1"), StickyHash.Bucket("other", "user-1"));
    }

    [TestMethod]
    public void Choose_PinnedUser_GetsTheCanaryWhateverTheWeight()
    {
        var router = Router();
        var entry = Entry(weight: 0, pins: ["tester-7"]);

        var pinned = router.Choose(Request(user: "tester-7"), entry);
        var other = router.Choose(Request(user: "tester-8"), entry);

        Assert.AreEqual(ReleaseRole.Canary, pinned.Role);
        Assert.AreEqual(ReleaseRole.Stable, other.Role);
    }

    [TestMethod]
    public void Choose_PinHeaderFromAnAllowedCaller_WinsOverTheWeight()
    {
        var router = Router();
        var entry = Entry(weight: 100);

        var stable = router.Choose(Request(pin: "stable"), entry);
        var byNumber = router.Choose(Request(pin: "hello@0"), entry);
        var canary = router.Choose(Request(pin: "2"), Entry(weight: 0));

        Assert.AreSame(Stable, stable.Version);
        Assert.AreEqual(ReleaseRole.Pinned, stable.Role);
        Assert.AreSame(Warm, byNumber.Version);
        Assert.AreSame(Canary, canary.Version);
    }

    [TestMethod]
    public void Choose_PinHeaderFromACallerNotAllowed_IsIgnored()
    {
        var router = Router();
        var entry = Entry(weight: 0);

        var chosen = router.Choose(Request(pin: "canary", remote: "203.0.113.5"), entry);

        Assert.AreEqual(ReleaseRole.Stable, chosen.Role);
    }

    [TestMethod]
    public void Choose_PinOfAVersionNotLoaded_IsIgnored()
    {
        var router = Router();

        var chosen = router.Choose(Request(pin: "99"), Entry(weight: 0));

        Assert.AreEqual(ReleaseRole.Stable, chosen.Role);
    }

    [TestMethod]
    public void StickinessKey_PrefersTheUserClaimOverHeaderAndCookie()
    {
        var router = Router(o => o.StickinessCookieName = "uid");
        var http = Request(user: "from-header");
        http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "from-claim")], "test"));
        var cookieOnly = Request();
        cookieOnly.Request.Headers.Cookie = "uid=from-cookie";

        Assert.AreEqual("from-claim", router.StickinessKey(http));
        Assert.AreEqual("from-cookie", router.StickinessKey(cookieOnly));
        Assert.IsNull(router.StickinessKey(Request()));
    }

    private static ReleaseRouter Router(Action<ReleaseRoutingOptions>? configure = null)
    {
        var options = new NeedleOptions();
        configure?.Invoke(options.Releases);
        return new ReleaseRouter(Options.Create(options));
    }

    private static ServedRelease Entry(double weight, string[]? pins = null)
    {
        var release = new ReleaseRecord(1, "hello", 1, 2, weight, "canary", 1, "test", null, DateTimeOffset.UnixEpoch, pins);
        return new ServedRelease(release, new FunctionManifest { Name = "hello", Route = "/hello" }, Stable, Canary, [Warm]);
    }

    private static DefaultHttpContext Request(string? user = null, string? pin = null, string remote = "127.0.0.1")
    {
        var http = new DefaultHttpContext { RequestServices = Services };
        http.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        http.Request.Host = new HostString("127.0.0.1:5080");
        if (user is not null)
        {
            http.Request.Headers["Needle-User"] = user;
        }

        if (pin is not null)
        {
            http.Request.Headers["Needle-Pin"] = pin;
        }

        return http;
    }

    private static ServedVersion Served(int number) => new(new StubFunction("hello", number));
}
