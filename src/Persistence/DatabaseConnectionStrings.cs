using System.Data.Common;
using Microsoft.Data.SqlClient;
using Npgsql;

namespace Payouts.Bus.Persistence;

/// <summary>The connection strings the host uses: the operator's, with the pool bounded by <see cref="DatabaseOptions.MaxPoolSize"/>.</summary>
public static class DatabaseConnectionStrings
{
    public static string Postgres(string connectionString, DatabaseOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = options.MaxPoolSize };
        // The host keeps no session state (its locks end with their transaction), so a pooled
        // connection needs no DISCARD ALL on return, and keeping it lets statements stay prepared:
        // parsing and planning were a quarter of PostgreSQL's CPU per payout. Set either in the
        // connection string to decide otherwise.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains(nameof(builder.NoResetOnClose)))
            builder.NoResetOnClose = true;
        if (!given.Contains(nameof(builder.MaxAutoPrepare)))
            builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    public static string SqlServer(string connectionString, DatabaseOptions options) =>
        new SqlConnectionStringBuilder(connectionString) { MaxPoolSize = options.MaxPoolSize }.ConnectionString;
}
