using System.Net.Sockets;
using Npgsql;

namespace Needle.Store;

/// <summary>
/// Tells a database that cannot be reached from one that refused a statement: the first marks the store unavailable
/// (and answers 503), the second is a bug or a conflict and keeps its own meaning. Walks inner exceptions, so a
/// library's wrapper (Hangfire, Dapper) around Npgsql's error is seen too.
/// </summary>
internal static class StoreOutage
{
    public static bool IsOutage(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case NeedleStoreUnavailableException:
                    return true;
                case PostgresException postgres:
                    // 08: connection exceptions; 57P01-03: the server shuts down, crashed or is starting; 53300: no
                    // connection slot. Anything else (a constraint, a serialisation failure) is the statement's.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300";
                case NpgsqlOperationInProgressException:
                    // A connection used by two callers at once: a bug, not an outage.
                    return false;
                case NpgsqlException:
                    // Npgsql's own errors: I/O on a broken connection, connect and command timeouts, a refused connect.
                    return true;
                case TimeoutException or SocketException:
                    return true;
            }
        }

        return false;
    }
}
