namespace Needle.Testing;

/// <summary>The repository a test runs from: the folder above the test's output folder that holds <c>Needle.sln</c>.</summary>
public static class RepositoryRoot
{
    /// <summary>The repository's root folder.</summary>
    public static string Path { get; } = Find();

    /// <summary>A path inside the repository, e.g. <c>Combine("samples", "cluster", "run.sh")</c>.</summary>
    /// <param name="parts">The path's parts below the root.</param>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Needle.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Needle.sln above {AppContext.BaseDirectory}.");
    }
}
