namespace Needle.Rollback.Hosting;

/// <summary>Where Needle.Rollback keeps its Hangfire jobs.</summary>
public enum RollbackStorage
{
    /// <summary>A SQLite file next to the Needle store (<c>needle-jobs.db</c> beside <c>needle.db</c> unless a path is given). Jobs survive a restart.</summary>
    Sqlite,

    /// <summary>In memory: jobs are lost on restart (plans still resume from the Needle store). For tests.</summary>
    InMemory,

    /// <summary>The host's own Hangfire (its <c>AddHangfire</c> storage and servers); Needle.Rollback starts no server of its own.</summary>
    Existing,

    /// <summary>PostgreSQL through Hangfire.PostgreSql (the Needle store's database unless another is given), in schema <c>needle_jobs</c>: one queue for the whole cluster.</summary>
    Postgres,

    /// <summary>Follows the Needle store: <see cref="Postgres"/> on its database when it is PostgreSQL, else <see cref="Sqlite"/>. The default.</summary>
    Automatic,
}
