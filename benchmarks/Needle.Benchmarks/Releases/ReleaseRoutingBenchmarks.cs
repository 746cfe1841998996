using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Needle.Functions;
using Needle.Hosting;
using Needle.Routing;
using Needle.Runtime;
using Needle.Serving;
using Needle.Store;

namespace Needle.Benchmarks.Releases;

/// <summary>
/// The per-request cost of choosing a version (issue: under 1 µs). The baseline is a function without a canary,
/// where the router returns the stable version after one check.
/// </summary>
[MemoryDiagnoser]
public class ReleaseRoutingBenchmarks
{
    // The pin header's default admission (the local-only rule) comes from the request's services, as in a host.
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSingleton(new Needle.Access.LocalRequestRule(Options.Create(new NeedleOptions())))
        .BuildServiceProvider();

    private ReleaseRouter _router = null!;
    private ServedRelease _stableOnly = null!;
    private ServedRelease _canary = null!;
    private DefaultHttpContext _anonymous = null!;
    private DefaultHttpContext _user = null!;
    private DefaultHttpContext _pinnedUser = null!;
    private DefaultHttpContext _pinHeader = null!;

    [GlobalSetup]
    public void Setup()
    {
        _router = new ReleaseRouter(Options.Create(new NeedleOptions()));
        var stable = new ServedVersion(new NoopFunction(1));
        var canary = new ServedVersion(new NoopFunction(2));
        var manifest = new FunctionManifest { Name = "checkout", Route = "/checkout" };
        _stableOnly = new ServedRelease(Release(null, 0, null), manifest, stable, null, []);
        _canary = new ServedRelease(Release(2, 10, ["tester-1", "tester-2"]), manifest, stable, canary, []);
        _anonymous = Context(null, null);
        _user = Context("user-8a2f9c51-3d4e", null);
        _pinnedUser = Context("tester-2", null);
        _pinHeader = Context(null, "canary");
    }

    [Benchmark(Baseline = true)]
    public object NoCanary() => _router.Choose(_user, _stableOnly).Version;

    [Benchmark]
    public object CanaryStickyUser() => _router.Choose(_user, _canary).Version;

    [Benchmark]
    public object CanaryAnonymous() => _router.Choose(_anonymous, _canary).Version;

    [Benchmark]
    public object CanaryPinnedUser() => _router.Choose(_pinnedUser, _canary).Version;

    [Benchmark]
    public object PinHeader() => _router.Choose(_pinHeader, _canary).Version;

    private static ReleaseRecord Release(int? canary, double weight, string[]? pins) =>
        new(1, "checkout", 1, canary, weight, "canary", 1, "bench", null, DateTimeOffset.UnixEpoch, pins);

    private static DefaultHttpContext Context(string? user, string? pin)
    {
        var http = new DefaultHttpContext { RequestServices = Services };
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Request.Host = new HostString("127.0.0.1:5080");
        http.Request.Headers.Accept = "application/json";
        http.Request.Headers.UserAgent = "Mozilla/5.0";
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

    private sealed class NoopFunction(int number) : ILoadedFunction
    {
        public FunctionVersion Version { get; } = new("checkout", number, "", new FunctionManifest { Name = "checkout" }, "h", "bench", DateTimeOffset.UnixEpoch, null);

        public ResolvedLimits Limits { get; } = ResolvedLimits.Resolve(null, new FunctionLimits());

        public ValueTask<FunctionResponse> InvokeAsync(FunctionRequest request, InvocationContext context) => ValueTask.FromResult(new FunctionResponse());

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
