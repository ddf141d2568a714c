using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// A fresh, migrated database of its own for one test: a SQLite file, or a database created on the
/// PostgreSQL server that ./test.sh started (connection string in PAYOUTS_TEST_POSTGRES).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _postgresAdmin;
    private readonly string _name = $"payouts_test_{Guid.NewGuid():N}";

    private TestDatabase(string provider)
    {
        Provider = provider;
        if (provider == DatabaseProvider.Postgres)
        {
            _postgresAdmin = Environment.GetEnvironmentVariable("PAYOUTS_TEST_POSTGRES")
                ?? throw new InvalidOperationException("PostgreSQL tests need PAYOUTS_TEST_POSTGRES; run them with ./test.sh, which starts the server.");
            ConnectionString = new NpgsqlConnectionStringBuilder(_postgresAdmin) { Database = _name }.ConnectionString;
        }
        else
        {
            ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), _name + ".db")}";
        }
    }

    public string Provider { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        var database = new TestDatabase(provider);
        if (database._postgresAdmin is not null)
        {
            await using var admin = new NpgsqlConnection(database._postgresAdmin);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database._name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        await using var services = database.Services();
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        return database;
    }

    /// <summary>Configuration that points the persistence module at this database.</summary>
    public IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = Provider,
        ["Database:MigrateOnStart"] = "false",
        ["ConnectionStrings:Payouts"] = ConnectionString,
    }).Build();

    public ServiceProvider Services() => new ServiceCollection()
        .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
        .AddPayoutsPersistence(Configuration())
        .BuildServiceProvider();

    public async Task<T> QueryAsync<T>(Func<PayoutsDbContext, Task<T>> query)
    {
        await using var services = Services();
        await using var scope = services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PayoutsDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresAdmin is null)
        {
            SqliteConnection.ClearAllPools();
            File.Delete(new SqliteConnectionStringBuilder(ConnectionString).DataSource);
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_postgresAdmin);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
