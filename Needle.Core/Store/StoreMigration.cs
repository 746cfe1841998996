using System.Globalization;
using System.Reflection;

namespace Needle.Store;

/// <summary>
/// One schema migration shipped as an embedded <c>NNNN_name.sql</c> file. Independent of the database so that
/// every store (SQLite, PostgreSQL), and every package that keeps tables of its own beside them (Needle.Rollback),
/// loads its scripts the same way and only applies them its own way.
/// </summary>
/// <param name="Version">The number the file name starts with; migrations apply in its order, each once.</param>
/// <param name="Name">The rest of the file name, for the record of applied migrations.</param>
/// <param name="Sql">The script.</param>
public sealed record StoreMigration(int Version, string Name, string Sql)
{
    /// <summary>
    /// The migrations embedded under <paramref name="resourcePrefix"/>, in version order. Throws
    /// <see cref="InvalidOperationException"/> naming the resource when one is not named <c>NNNN_name.sql</c> or two share a version.
    /// </summary>
    /// <param name="assembly">The assembly the scripts are embedded in.</param>
    /// <param name="resourcePrefix">The resource name prefix, for example <c>Needle.Store.Sqlite.Migrations.</c>.</param>
    /// <returns>The migrations, in version order.</returns>
    public static IReadOnlyList<StoreMigration> LoadEmbedded(Assembly assembly, string resourcePrefix)
    {
        var migrations = new List<StoreMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(resourcePrefix, StringComparison.Ordinal)
                || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = resource[resourcePrefix.Length..^".sql".Length];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0
                || !int.TryParse(fileName.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration '{resource}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Migration '{resource}' cannot be read.");
            using var reader = new StreamReader(stream);
            migrations.Add(new StoreMigration(version, fileName[(separator + 1)..], reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations have version {migrations[i].Version}.");
            }
        }

        return migrations;
    }
}
