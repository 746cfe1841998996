namespace Needle.Cli.Tests.Infrastructure;

/// <summary>A test class whose tests share one <see cref="CliHost"/>, started before its first test and stopped after its last.</summary>
/// <typeparam name="TSelf">The test class, so each class gets its own host.</typeparam>
public abstract class CliHostTests<TSelf> : ClassHostTests<TSelf, CliHost>, IClassHost<CliHost>
    where TSelf : CliHostTests<TSelf>
{
    /// <inheritdoc />
    public static Task<CliHost> StartClassHostAsync() => Task.FromResult(CliHost.Start());
}
