using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Needle.Testing;

/// <summary>
/// A test class whose tests share one host (or server), started before the class's first test and disposed after its
/// last: the class derives from this and says how to start it (<see cref="IClassHost{THost}.StartClassHostAsync"/>).
/// </summary>
/// <typeparam name="TSelf">The test class, so each class gets its own host.</typeparam>
/// <typeparam name="THost">What the tests share: a <see cref="NeedleTestHost"/>, a child host, a downstream server.</typeparam>
public abstract class ClassHostTests<TSelf, THost>
    where TSelf : ClassHostTests<TSelf, THost>, IClassHost<THost>
    where THost : class, IAsyncDisposable
{
    private static THost? s_host;

    /// <summary>The class's host.</summary>
    protected static THost Host => s_host ?? throw new InvalidOperationException($"{typeof(TSelf).Name}'s host has not started.");

    [ClassInitialize(InheritanceBehavior.BeforeEachDerivedClass)]
    public static async Task InitializeClassAsync(TestContext context) => s_host = await TSelf.StartClassHostAsync();

    [ClassCleanup(InheritanceBehavior.BeforeEachDerivedClass)]
    public static async Task CleanupClassAsync()
    {
        if (Interlocked.Exchange(ref s_host, null) is { } host)
        {
            await host.DisposeAsync();
        }
    }
}

/// <summary>How a <see cref="ClassHostTests{TSelf, THost}"/> class starts the host its tests share.</summary>
/// <typeparam name="THost">What the tests share.</typeparam>
public interface IClassHost<THost>
{
    /// <summary>Starts the host (and deploys what every test of the class needs).</summary>
    static abstract Task<THost> StartClassHostAsync();
}
