namespace Needle.Observability.Tests.Infrastructure;

/// <summary>
/// Finds a program a test needs beyond the SDK (Debian's <c>prometheus</c>, <c>promtool</c>). Missing, the test is
/// inconclusive on a developer's machine and fails under <c>CI=true</c>, where <c>.ci/run</c> must have installed it.
/// </summary>
internal static class ExternalTool
{
    public static string Require(string name, string purpose)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        if (path is not null)
        {
            return path;
        }

        var message = $"'{name}' is not on PATH; install it (Debian: apt-get install -y prometheus) to {purpose}. .ci/run installs it.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Inconclusive(message);
        return name;
    }
}
