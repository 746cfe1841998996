using Microsoft.Data.Sqlite;

namespace Needle.Testing;

/// <summary>A folder under the system's temp path, made on creation and deleted (with what is in it) on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    private TemporaryDirectory(string path) => Path = path;

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>Makes a fresh folder <c>{temp}/{purpose}/{guid}</c>.</summary>
    /// <param name="purpose">Groups the folders of one kind of test, so a leftover is easy to place.</param>
    public static TemporaryDirectory Create(string purpose = "needle-tests")
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), purpose, Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(path);
        return new TemporaryDirectory(path);
    }

    /// <summary>A path inside the folder.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => Delete(Path);

    /// <summary>Deletes a folder a test made, after SQLite lets go of its files.</summary>
    public static void Delete(string path)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the OS is not worth failing a test over; the temp folder is cleaned eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // The same, on a file the OS still has open.
        }
    }
}
