using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Payouts.Bus.Persistence;

/// <summary>
/// Applies the versioned SQL scripts under Migrations/{Sqlite|Postgres}/ in order, each in its own
/// transaction together with its row in <c>schema_version</c>. Safe to run from several hosts at
/// once: PostgreSQL takes an advisory lock, SQLite serializes writers on the file.
/// </summary>
public sealed class SchemaMigrator(PayoutsDbContext db, ILogger<SchemaMigrator> logger)
{
    private const long AdvisoryLockKey = 0x5041594F555453; // "PAYOUTS"

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        var postgres = db.Database.IsNpgsql();
        if (!postgres)
            EnsureSqliteDirectory(db.Database.GetConnectionString());

        await db.Database.ExecuteSqlRawAsync(postgres
            ? "CREATE TABLE IF NOT EXISTS schema_version (version varchar(100) PRIMARY KEY, applied_at timestamptz NOT NULL)"
            : "CREATE TABLE IF NOT EXISTS schema_version (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)", cancellationToken);

        var applied = new List<string>();
        foreach (var (version, script) in Scripts(postgres ? "Postgres" : "Sqlite"))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (postgres)
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
            var done = await db.Database.SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM schema_version WHERE version = {version}").SingleAsync(cancellationToken);
            if (done == 0)
            {
                await db.Database.ExecuteSqlRawAsync(script, cancellationToken);
                await db.Database.ExecuteSqlAsync($"INSERT INTO schema_version (version, applied_at) VALUES ({version}, {DateTime.UtcNow})", cancellationToken);
                applied.Add(version);
                logger.LogInformation("Applied schema migration {Version}", version);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return applied;
    }

    private static IEnumerable<(string Version, string Script)> Scripts(string provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"migrations/{provider}/";
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return (Path.GetFileNameWithoutExtension(name), reader.ReadToEnd());
        }
    }

    private static void EnsureSqliteDirectory(string? connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(directory) && file != ":memory:")
            Directory.CreateDirectory(directory);
    }
}
