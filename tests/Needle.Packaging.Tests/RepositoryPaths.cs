namespace Needle.Packaging.Tests;

/// <summary>Where the repository is, found from the test's output folder (the folder holding <c>Needle.sln</c>).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Readme => Path.Combine(Root, "README.md");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Needle.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Needle.sln above {AppContext.BaseDirectory}.");
    }
}
