namespace Needle.Cli.Tests.Infrastructure;

/// <summary>A test class whose tests share one <see cref="CliHost"/>, started before its first test and stopped after its last.</summary>
/// <typeparam name="TSelf">The test class, so each class gets its own host.</typeparam>
public abstract class CliHostTests<TSelf>
    where TSelf : CliHostTests<TSelf>
{
    private static CliHost? s_host;

    /// <summary>The class's host.</summary>
    internal static CliHost Host => s_host ?? throw new InvalidOperationException("The class's host has not started.");

    [ClassInitialize(InheritanceBehavior.BeforeEachDerivedClass)]
    public static void StartHost(TestContext context) => s_host = CliHost.Start();

    [ClassCleanup(InheritanceBehavior.BeforeEachDerivedClass)]
    public static async Task StopHostAsync()
    {
        if (s_host is not null)
        {
            await s_host.DisposeAsync();
        }
    }
}
