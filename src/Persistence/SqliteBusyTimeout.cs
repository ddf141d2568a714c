using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Payouts.Bus.Persistence;

/// <summary>
/// SQLite has one writer per file. A writer that finds it taken is retried, by default, by the
/// driver after a long sleep; SQLite's own busy handler retries within milliseconds of the lock
/// coming free. Set on every connection as it opens (the setting belongs to the connection).
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    /// <summary>As long as the driver waited before giving up.</summary>
    private const int Milliseconds = 30_000;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Set(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Set(connection);
        return Task.CompletedTask;
    }

    private static void Set(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {Milliseconds}";
        command.ExecuteNonQuery();
    }
}
