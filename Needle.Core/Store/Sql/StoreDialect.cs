using System.Data.Common;

namespace Needle.Store.Sql;

/// <summary>
/// What one database does its own way under <see cref="SqlNeedleStore"/>: opening a connection, the read and write
/// transactions, the revision bump, and the schema. Everything else (every query and change) is shared.
/// </summary>
internal abstract class StoreDialect
{
    /// <summary>Which database, and how to reach it.</summary>
    public abstract NeedleDatabase Database { get; }

    /// <summary>
    /// Bumps the single revision row and returns the new value. Runs inside a write transaction, so a dialect can
    /// make it announce the change at commit (PostgreSQL: <c>NOTIFY</c>).
    /// </summary>
    public abstract string BumpRevisionSql { get; }

    /// <summary>An open connection, set up for the store.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// An open connection for the schema's migration at start, which may wait longer than a call of the running node
    /// (a busy machine, a server still starting). Default: <see cref="OpenAsync"/>.
    /// </summary>
    public virtual Task<DbConnection> OpenForStartAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>A read transaction: one consistent snapshot that never blocks writers.</summary>
    public abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// A write transaction that serialises writers before anything is read, so that the reads inside see the latest
    /// committed state and two writers never decide on the same one.
    /// </summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// A write transaction for rows no change of releases reads (the published health counts): it need not serialise
    /// with the writers of releases. Default: <see cref="BeginWriteAsync"/>.
    /// </summary>
    public virtual Task<DbTransaction> BeginSideWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        BeginWriteAsync(connection, cancellationToken);

    /// <summary>Creates or upgrades the schema; several processes may call it at once, each migration applies once.</summary>
    public abstract Task InitializeAsync(DbConnection connection, TimeProvider timeProvider, CancellationToken cancellationToken);

    /// <summary>
    /// The database could not be reached: drop what was pooled (connections to a server that went away are dead, and
    /// each would fail one call after it returns). Default: nothing.
    /// </summary>
    public virtual void OnUnreachable()
    {
    }
}
