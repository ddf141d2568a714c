using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Persistence;

/// <summary>
/// Everything that differs between the databases we support, in one place: a case per database in
/// each member, and a folder of migration scripts per database. Row locks: PostgreSQL takes them with
/// <c>FOR UPDATE</c> (and skips locked rows when claiming work); SQL Server with
/// <c>UPDLOCK, ROWLOCK, HOLDLOCK</c> (claiming with <c>READPAST</c>); SQLite runs every transaction as
/// <c>BEGIN IMMEDIATE</c>, one writer on the whole file, so a plain read is already exclusive.
/// </summary>
internal static class SqlDialect
{
    private const long MigrationLockKey = 0x5041594F555453; // "PAYOUTS"

    public static string Provider(PayoutsDbContext db) =>
        db.Database.IsNpgsql() ? DatabaseProvider.Postgres
        : db.Database.IsSqlServer() ? DatabaseProvider.SqlServer
        : DatabaseProvider.Sqlite;

    /// <summary>The folder of Migrations/ whose scripts build this database.</summary>
    public static string MigrationsFolder(PayoutsDbContext db) => Provider(db);

    public static string SchemaVersionTable(PayoutsDbContext db) => Provider(db) switch
    {
        DatabaseProvider.Postgres => "CREATE TABLE IF NOT EXISTS schema_version (version varchar(100) PRIMARY KEY, applied_at timestamptz NOT NULL)",
        DatabaseProvider.SqlServer => SqlServerStatements.SchemaVersionTable,
        _ => "CREATE TABLE IF NOT EXISTS schema_version (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    };

    /// <summary>Makes concurrent migrators (several hosts starting) wait for each other.</summary>
    public static async Task LockMigrationsAsync(PayoutsDbContext db, CancellationToken cancellationToken)
    {
        switch (Provider(db))
        {
            case DatabaseProvider.Postgres:
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken);
                break;
            case DatabaseProvider.SqlServer:
                await db.Database.ExecuteSqlRawAsync(SqlServerStatements.LockMigrations, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Prepares what the server does not do itself. SQLite: the file's directory, and write-ahead
    /// logging (kept in the file), so that readers never block the one writer nor it them; in the
    /// default rollback journal, every read held off commits and busy writers failed with
    /// "database is locked".
    /// </summary>
    public static async Task PrepareStorageAsync(PayoutsDbContext db, CancellationToken cancellationToken)
    {
        if (Provider(db) != DatabaseProvider.Sqlite)
            return;
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (file == ":memory:")
            return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode=WAL").ToListAsync(cancellationToken);
    }

    /// <summary>The column type for JSON documents, where the database has one.</summary>
    public static string? JsonColumnType(PayoutsDbContext db) => Provider(db) switch
    {
        DatabaseProvider.Postgres => "jsonb",
        DatabaseProvider.SqlServer => "nvarchar(max)",
        _ => null,
    };

    public static IQueryable<PayoutState> LockPayout(PayoutsDbContext db, Guid payoutId) => Provider(db) switch
    {
        DatabaseProvider.Postgres => db.Payouts.FromSql($"SELECT * FROM payout_saga WHERE correlation_id = {payoutId} FOR UPDATE"),
        DatabaseProvider.SqlServer => db.Payouts.FromSqlRaw(SqlServerStatements.LockPayout, payoutId),
        _ => db.Payouts.Where(p => p.CorrelationId == payoutId),
    };

    public static IQueryable<InboxState> LockInbox(PayoutsDbContext db, Guid messageId, Guid consumerId) => Provider(db) switch
    {
        DatabaseProvider.Postgres => db.Set<InboxState>().FromSql(
            $"SELECT * FROM inbox_state WHERE message_id = {messageId} AND consumer_id = {consumerId} FOR UPDATE"),
        DatabaseProvider.SqlServer => db.Set<InboxState>().FromSqlRaw(SqlServerStatements.LockInbox, messageId, consumerId),
        _ => db.Set<InboxState>().Where(i => i.MessageId == messageId && i.ConsumerId == consumerId),
    };

    /// <summary>
    /// Records a received message in the inbox unless it is there already, and returns the new row
    /// (received once, with a lock id of its own, held by this transaction, which created it), or
    /// nothing when the message was there before.
    /// Most messages are new, so this is the one round trip their inbox costs. Two deliveries of one
    /// message (a provider's duplicate webhook) may both get here; the second insert is then a no-op
    /// instead of a key violation that EF would log as an error.
    /// </summary>
    public static async Task<InboxState?> InsertInboxIfAbsentAsync(PayoutsDbContext db, Guid messageId, Guid consumerId, DateTime received,
        CancellationToken cancellationToken)
    {
        var inserted = Provider(db) == DatabaseProvider.SqlServer
            ? db.Set<InboxState>().FromSqlRaw(SqlServerStatements.InsertInboxIfAbsent, messageId, consumerId, Guid.NewGuid(), received)
            : db.Set<InboxState>().FromSql($"""
                INSERT INTO inbox_state (message_id, consumer_id, lock_id, received, receive_count)
                VALUES ({messageId}, {consumerId}, {Guid.NewGuid()}, {received}, 1)
                ON CONFLICT (message_id, consumer_id) DO NOTHING
                RETURNING *
                """);
        // Not composable (an INSERT): read as is, without operators that would wrap it in a SELECT.
        var rows = await inserted.AsTracking().ToListAsync(cancellationToken);
        return rows.SingleOrDefault();
    }

    /// <summary>
    /// Takes a payout's submission lease for an attempt, one statement on its own (committed at
    /// once): the first attempt inserts the row; a later one takes it over when the lease is free or
    /// lapsed, and counts itself. Nothing comes back while another attempt holds the lease.
    /// </summary>
    public static async Task<(int Number, DateTime FirstAttemptAt)?> BeginSubmissionAsync(PayoutsDbContext db, Guid payoutId, Guid attempt,
        DateTime now, DateTime until, CancellationToken cancellationToken)
    {
        var rows = Provider(db) == DatabaseProvider.SqlServer
            ? db.Database.SqlQueryRaw<SubmissionRow>(SqlServerStatements.BeginSubmission, payoutId, now, attempt, until)
            : db.Database.SqlQuery<SubmissionRow>($"""
                INSERT INTO payout_submission (payout_id, attempts, first_attempt_at, lease_attempt, lease_until)
                VALUES ({payoutId}, 1, {now}, {attempt}, {until})
                ON CONFLICT (payout_id) DO UPDATE
                SET attempts = payout_submission.attempts + 1, lease_attempt = excluded.lease_attempt, lease_until = excluded.lease_until
                WHERE payout_submission.lease_until IS NULL OR payout_submission.lease_until <= {now}
                RETURNING attempts AS "Attempts", first_attempt_at AS "FirstAttemptAt"
                """);
        // Not composable (an INSERT): read as is, without operators that would wrap it in a SELECT.
        var row = (await rows.ToListAsync(cancellationToken)).SingleOrDefault();
        return row is null ? null : (row.Attempts, DateTime.SpecifyKind(row.FirstAttemptAt, DateTimeKind.Utc));
    }

    /// <returns>1 when the attempt still held the lease and now holds it until <paramref name="until"/>; 0 when it had lost it.</returns>
    public static Task<int> RenewSubmissionAsync(PayoutsDbContext db, Guid payoutId, Guid attempt, DateTime until, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE payout_submission SET lease_until = {until} WHERE payout_id = {payoutId} AND lease_attempt = {attempt}",
            cancellationToken);

    public static Task<int> EndSubmissionAsync(PayoutsDbContext db, Guid payoutId, Guid attempt, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"UPDATE payout_submission SET lease_attempt = NULL, lease_until = NULL WHERE payout_id = {payoutId} AND lease_attempt = {attempt}",
            cancellationToken);

    public static Task<int> RecordRefusalAsync(PayoutsDbContext db, Guid payoutId, string provider, DateTime at, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO payout_provider_refusal (payout_id, provider, refused_at)
            SELECT {payoutId}, {provider}, {at} WHERE NOT EXISTS (SELECT 1 FROM payout_provider_refusal WHERE payout_id = {payoutId} AND provider = {provider})
            """, cancellationToken);

    public static async Task<bool> RefusedAsync(PayoutsDbContext db, Guid payoutId, string provider, CancellationToken cancellationToken) =>
        await db.Database.SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM payout_provider_refusal WHERE payout_id = {payoutId} AND provider = {provider}")
            .SingleAsync(cancellationToken) > 0;

    public static Task<int> ForgetSubmissionAsync(PayoutsDbContext db, Guid payoutId, Guid attempt, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM payout_submission WHERE payout_id = {payoutId} AND lease_attempt = {attempt}", cancellationToken);

    private sealed record SubmissionRow(int Attempts, DateTime FirstAttemptAt);

    /// <summary>Due messages that belong to no consumer, claimed so that another host skips them.</summary>
    public static IQueryable<OutboxMessage> ClaimDue(PayoutsDbContext db, DateTime now, int batchSize) => Provider(db) switch
    {
        DatabaseProvider.Postgres => db.Set<OutboxMessage>().FromSql(
            $"SELECT * FROM outbox_message WHERE inbox_message_id IS NULL AND enqueue_time <= {now} ORDER BY sequence_number LIMIT {batchSize} FOR UPDATE SKIP LOCKED"),
        DatabaseProvider.SqlServer => db.Set<OutboxMessage>().FromSqlRaw(SqlServerStatements.ClaimDue, now, batchSize),
        _ => db.Set<OutboxMessage>().Where(m => m.InboxMessageId == null && m.EnqueueTime <= now).OrderBy(m => m.SequenceNumber).Take(batchSize),
    };

    /// <summary>Messages consumers stored before <paramref name="before"/> and never sent, claimed like <see cref="ClaimDue"/>.</summary>
    public static IQueryable<OutboxMessage> ClaimOrphaned(PayoutsDbContext db, DateTime before, int batchSize) => Provider(db) switch
    {
        DatabaseProvider.Postgres => db.Set<OutboxMessage>().FromSql(
            $"SELECT * FROM outbox_message WHERE inbox_message_id IS NOT NULL AND sent_time < {before} ORDER BY sequence_number LIMIT {batchSize} FOR UPDATE SKIP LOCKED"),
        DatabaseProvider.SqlServer => db.Set<OutboxMessage>().FromSqlRaw(SqlServerStatements.ClaimOrphaned, before, batchSize),
        _ => db.Set<OutboxMessage>().Where(m => m.InboxMessageId != null && m.SentTime < before).OrderBy(m => m.SequenceNumber).Take(batchSize),
    };
}

/// <summary>
/// The T-SQL the dialect sends, with <c>{0}</c>, <c>{1}</c> … for parameters. Kept as text so that a
/// test parses every statement with Microsoft's T-SQL parser where no SQL Server runs.
/// </summary>
internal static class SqlServerStatements
{
    public const string SchemaVersionTable =
        "IF OBJECT_ID(N'schema_version', N'U') IS NULL CREATE TABLE schema_version (version nvarchar(100) NOT NULL PRIMARY KEY, applied_at datetime2 NOT NULL)";

    public const string LockMigrations =
        "EXEC sp_getapplock @Resource = N'payouts-migrations', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = -1";

    public const string LockPayout =
        "SELECT * FROM payout_saga WITH (UPDLOCK, ROWLOCK, HOLDLOCK) WHERE correlation_id = {0}";

    public const string LockInbox =
        "SELECT * FROM inbox_state WITH (UPDLOCK, ROWLOCK, HOLDLOCK) WHERE message_id = {0} AND consumer_id = {1}";

    // HOLDLOCK makes the existence check and the insert one step: a racing delivery waits, then finds the row.
    public const string InsertInboxIfAbsent =
        "INSERT INTO inbox_state (message_id, consumer_id, lock_id, received, receive_count) OUTPUT inserted.* SELECT {0}, {1}, {2}, {3}, 1 " +
        "WHERE NOT EXISTS (SELECT 1 FROM inbox_state WITH (UPDLOCK, HOLDLOCK) WHERE message_id = {0} AND consumer_id = {1})";

    // READPAST skips rows another host has claimed, as SKIP LOCKED does on PostgreSQL.
    public const string ClaimDue =
        "SELECT TOP ({1}) * FROM outbox_message WITH (UPDLOCK, ROWLOCK, READPAST) WHERE inbox_message_id IS NULL AND enqueue_time <= {0} ORDER BY sequence_number";

    // HOLDLOCK makes the look for the row and its insert or update one step, as ON CONFLICT does.
    public const string BeginSubmission =
        "MERGE payout_submission WITH (HOLDLOCK) AS s USING (SELECT {0} AS payout_id) AS n ON s.payout_id = n.payout_id " +
        "WHEN MATCHED AND (s.lease_until IS NULL OR s.lease_until <= {1}) THEN UPDATE SET attempts = s.attempts + 1, lease_attempt = {2}, lease_until = {3} " +
        "WHEN NOT MATCHED THEN INSERT (payout_id, attempts, first_attempt_at, lease_attempt, lease_until) VALUES ({0}, 1, {1}, {2}, {3}) " +
        "OUTPUT inserted.attempts AS Attempts, inserted.first_attempt_at AS FirstAttemptAt;";

    public const string ClaimOrphaned =
        "SELECT TOP ({1}) * FROM outbox_message WITH (UPDLOCK, ROWLOCK, READPAST) WHERE inbox_message_id IS NOT NULL AND sent_time < {0} ORDER BY sequence_number";

    /// <summary>Every statement above, for the parse test.</summary>
    public static readonly IReadOnlyList<string> All = [SchemaVersionTable, LockMigrations, LockPayout, LockInbox, InsertInboxIfAbsent, BeginSubmission, ClaimDue, ClaimOrphaned];
}
