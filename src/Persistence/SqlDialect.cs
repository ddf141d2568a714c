using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Persistence;

/// <summary>
/// Everything that differs between the databases we support, in one place. Another database
/// (SQL Server, say) is its EF provider package, a case in each member here, and its folder of
/// migration scripts. Row locks: PostgreSQL takes them with <c>FOR UPDATE</c>; SQLite runs every
/// transaction as <c>BEGIN IMMEDIATE</c>, one writer on the whole file, so a plain read is already exclusive.
/// </summary>
internal static class SqlDialect
{
    private const long MigrationLockKey = 0x5041594F555453; // "PAYOUTS"

    public static bool IsPostgres(PayoutsDbContext db) => db.Database.IsNpgsql();

    /// <summary>The folder of Migrations/ whose scripts build this database.</summary>
    public static string MigrationsFolder(PayoutsDbContext db) => IsPostgres(db) ? "Postgres" : "Sqlite";

    public static string SchemaVersionTable(PayoutsDbContext db) => IsPostgres(db)
        ? "CREATE TABLE IF NOT EXISTS schema_version (version varchar(100) PRIMARY KEY, applied_at timestamptz NOT NULL)"
        : "CREATE TABLE IF NOT EXISTS schema_version (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)";

    /// <summary>Makes concurrent migrators (several hosts starting) wait for each other.</summary>
    public static async Task LockMigrationsAsync(PayoutsDbContext db, CancellationToken cancellationToken)
    {
        if (IsPostgres(db))
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken);
    }

    /// <summary>Prepares what the server does not create itself: SQLite's file needs its directory.</summary>
    public static void PrepareStorage(PayoutsDbContext db)
    {
        if (IsPostgres(db))
            return;
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(directory) && file != ":memory:")
            Directory.CreateDirectory(directory);
    }

    /// <summary>The column type for JSON documents, where the database has one.</summary>
    public static string? JsonColumnType(PayoutsDbContext db) => IsPostgres(db) ? "jsonb" : null;

    public static IQueryable<PayoutState> LockPayout(PayoutsDbContext db, Guid payoutId) => IsPostgres(db)
        ? db.Payouts.FromSql($"SELECT * FROM payout_saga WHERE correlation_id = {payoutId} FOR UPDATE")
        : db.Payouts.Where(p => p.CorrelationId == payoutId);

    public static IQueryable<InboxState> LockInbox(PayoutsDbContext db, Guid messageId, Guid consumerId) => IsPostgres(db)
        ? db.Set<InboxState>().FromSql($"SELECT * FROM inbox_state WHERE message_id = {messageId} AND consumer_id = {consumerId} FOR UPDATE")
        : db.Set<InboxState>().Where(i => i.MessageId == messageId && i.ConsumerId == consumerId);

    /// <summary>Due messages that belong to no consumer, claimed so that another host skips them.</summary>
    public static IQueryable<OutboxMessage> ClaimDue(PayoutsDbContext db, DateTime now, int batchSize) => IsPostgres(db)
        ? db.Set<OutboxMessage>().FromSql(
            $"SELECT * FROM outbox_message WHERE inbox_message_id IS NULL AND enqueue_time <= {now} ORDER BY sequence_number LIMIT {batchSize} FOR UPDATE SKIP LOCKED")
        : db.Set<OutboxMessage>().Where(m => m.InboxMessageId == null && m.EnqueueTime <= now).OrderBy(m => m.SequenceNumber).Take(batchSize);
}
