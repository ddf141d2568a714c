using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Payouts.Bus.Persistence;

/// <summary>
/// Applies the versioned SQL scripts under Migrations/{Sqlite|Postgres}/ in order, each in its own
/// transaction together with its row in <c>schema_version</c>. Safe to run from several hosts at once.
/// </summary>
public sealed class SchemaMigrator(PayoutsDbContext db, ILogger<SchemaMigrator> logger)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await SqlDialect.PrepareStorageAsync(db, cancellationToken);
        await db.Database.ExecuteSqlRawAsync(SqlDialect.SchemaVersionTable(db), cancellationToken);

        var applied = new List<string>();
        foreach (var (version, script) in Scripts(SqlDialect.MigrationsFolder(db)))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await SqlDialect.LockMigrationsAsync(db, cancellationToken);
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
}
