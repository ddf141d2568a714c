using Npgsql;

namespace Payouts.Bus.Bench;

/// <summary>
/// A fresh PostgreSQL database per run, and the server's own count of committed transactions in it;
/// dropped when the run is done (a million seeded payouts left behind fill the disk).
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _name;
    private int _reads;

    private BenchDatabase(string admin, string name)
    {
        _admin = admin;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string admin, string prefix)
    {
        // Unique even for runs started within one second (the reference ceiling is read three times).
        var name = $"{prefix}_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid().ToString("N")[..8]}";
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new BenchDatabase(admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// <c>pg_stat_database.xact_commit</c>, less the transactions of our own readings. Backends report
    /// their counts lazily (at the latest when they exit), so when <paramref name="settled"/> the pooled
    /// connections are closed first and the figure is read until it stops moving.
    /// </summary>
    public async Task<long> CommitsAsync(bool settled = false)
    {
        if (!settled)
            return await ReadCommitsAsync();
        NpgsqlConnection.ClearAllPools();
        var last = -1L;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            var now = await ReadCommitsAsync();
            if (now == last)
                return now;
            last = now;
        }
        return last;
    }

    /// <summary>
    /// Fills the payout table with <paramref name="count"/> payouts that ended long ago, as years of
    /// history would: in one statement, in the schema the host created.
    /// </summary>
    /// <remarks>Numbered from <paramref name="first"/>, so that seeding again adds to what is there; every other one is client <c>bench-a</c>'s.</remarks>
    public async Task SeedFinishedPayoutsAsync(int count, int first = 1)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand($"""
            INSERT INTO payout_saga (correlation_id, current_state, version, external_id, client, idempotency_key, request_fingerprint, provider,
                amount, currency, network, destination, provider_reference, provider_status, tx_hash, created_at, updated_at, history)
            SELECT gen_random_uuid(), CASE WHEN i % 10 = 0 THEN 'Failed' ELSE 'Completed' END, 5, 'seeded-' || i,
                CASE WHEN i % 2 = 0 THEN 'bench-a' ELSE 'bench-b' END, 'seeded-' || i, 'seeded',
                (ARRAY['TheDex', 'Calypso', 'OxaPay', 'Dfns'])[1 + i % 4], 10, 'USDT', 'Tron', 'TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy',
                'ref-' || i, 'done', '0x' || md5(i::text), now() - interval '400 days' + i * interval '30 seconds',
                now() - interval '400 days' + i * interval '30 seconds' + interval '1 minute', '[]'::jsonb
            FROM generate_series({first}, {first + count - 1}) AS i
            """, connection) { CommandTimeout = 600 };
        await seed.ExecuteNonQueryAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE payout_saga", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>The (created_at, id) of the payout halfway down the newest-first list: where a page deep in it starts.</summary>
    public async Task<(DateTime CreatedAt, Guid Id)> MiddleOfListAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("""
            SELECT created_at, correlation_id FROM payout_saga ORDER BY created_at DESC, correlation_id DESC
            OFFSET (SELECT COUNT(*) / 2 FROM payout_saga) LIMIT 1
            """, connection);
        await using var row = await read.ExecuteReaderAsync();
        await row.ReadAsync();
        return (row.GetDateTime(0), row.GetGuid(1));
    }

    private async Task<long> ReadCommitsAsync()
    {
        // Outside the pool, so that reading does not keep a backend (and its unreported counts) alive.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
        var commits = (long)(await read.ExecuteScalarAsync())!;
        return commits - _reads++;
    }
}
