using System.Data.Common;
using Microsoft.Data.SqlClient;
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
/// PostgreSQL server that ./test.sh started (connection string in PAYOUTS_TEST_POSTGRES), or on the
/// SQL Server named in PAYOUTS_TEST_SQLSERVER when there is one.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>A SQL Server to test against, if any: none installs here, so it must be named.</summary>
    public static string? SqlServer => Environment.GetEnvironmentVariable("PAYOUTS_TEST_SQLSERVER") is { Length: > 0 } server ? server : null;

    private readonly string? _admin;
    private readonly string _name = $"payouts_test_{Guid.NewGuid():N}";

    private TestDatabase(string provider)
    {
        Provider = provider;
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                _admin = Environment.GetEnvironmentVariable("PAYOUTS_TEST_POSTGRES")
                    ?? throw new InvalidOperationException("PostgreSQL tests need PAYOUTS_TEST_POSTGRES; run them with ./test.sh, which starts the server.");
                ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = _name }.ConnectionString;
                break;
            case DatabaseProvider.SqlServer:
                _admin = SqlServer ?? throw new InvalidOperationException("SQL Server tests need PAYOUTS_TEST_SQLSERVER.");
                ConnectionString = new SqlConnectionStringBuilder(_admin) { InitialCatalog = _name }.ConnectionString;
                break;
            default:
                ConnectionString = $"Data Source={Path.Combine(Path.GetTempPath(), _name + ".db")}";
                break;
        }
    }

    public string Provider { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        var database = new TestDatabase(provider);
        if (database._admin is not null)
            await database.AdministerAsync($"CREATE DATABASE {database._name}");
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
        switch (Provider)
        {
            case DatabaseProvider.Postgres:
                NpgsqlConnection.ClearAllPools();
                await AdministerAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
                break;
            case DatabaseProvider.SqlServer:
                SqlConnection.ClearAllPools();
                await AdministerAsync($"ALTER DATABASE {_name} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE {_name}");
                break;
            default:
                SqliteConnection.ClearAllPools();
                File.Delete(new SqliteConnectionStringBuilder(ConnectionString).DataSource);
                break;
        }
    }

    /// <summary>Runs a statement on the server's administrative database.</summary>
    private async Task AdministerAsync(string sql)
    {
        await using DbConnection admin = Provider == DatabaseProvider.SqlServer ? new SqlConnection(_admin) : new NpgsqlConnection(_admin);
        await admin.OpenAsync();
        await using var command = admin.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
