namespace Needle.Console.Tests.Infrastructure;

[TestClass]
public static class AssemblySetup
{
    [AssemblyCleanup]
    public static Task CleanupAsync() => Browser.CloseAsync();
}
