using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Payouts.Bus.Persistence;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>The host on PostgreSQL with a pool of two connections, both taken by the test: the database is out of reach.</summary>
public sealed class DatabaseUnavailableTests : IClassFixture<DatabaseUnavailableTests.SmallPoolHost>
{
    private readonly SmallPoolHost _host;

    public DatabaseUnavailableTests(SmallPoolHost host) => _host = host;

    [Fact]
    public async Task Webhook_while_the_connection_pool_is_exhausted_is_answered_503_with_retry_after_then_accepted()
    {
        var body = new JsonObject { ["id"] = "pool-test", ["status"] = 1, ["statusName"] = "Successful", ["description"] = Guid.NewGuid().ToString() }.ToJsonString();

        await using (await _host.TakeEveryConnectionAsync())
        {
            using var refused = await _host.Http.SendAsync(SignedWebhook.Request("thedex", body));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("Database unavailable", await refused.Content.ReadAsStringAsync());
        }

        // The provider's retry, once connections are free again, is taken (acknowledged; it names no payout of ours).
        using var accepted = await _host.Http.SendAsync(SignedWebhook.Request("thedex", body));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    public sealed class SmallPoolHost : PayoutsHostFixture
    {
        private const int PoolSize = 2;
        private TestDatabase? _database;
        private string _connectionString = "";

        protected override async Task<IReadOnlyDictionary<string, string>> PrepareAsync()
        {
            _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
            // A one-second wait for a free connection, so that the test does not wait the default 15 s.
            var configured = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Timeout = 1 }.ConnectionString;
            _connectionString = DatabaseConnectionStrings.Postgres(configured, new DatabaseOptions { MaxPoolSize = PoolSize });
            return new Dictionary<string, string>
            {
                ["Database:Provider"] = DatabaseProvider.Postgres,
                ["ConnectionStrings:Payouts"] = configured,
                ["Database:MaxPoolSize"] = PoolSize.ToString(),
            };
        }

        /// <summary>Opens, in this process, every connection of the host's pool (same connection string, same pool).</summary>
        public async Task<IAsyncDisposable> TakeEveryConnectionAsync()
        {
            var taken = new HeldConnections();
            while (taken.Count < PoolSize)
                taken.Add(await Eventually.Until(async () =>
                {
                    var connection = new NpgsqlConnection(_connectionString);
                    try
                    {
                        await connection.OpenAsync();
                        return connection;
                    }
                    catch (NpgsqlException)
                    {
                        await connection.DisposeAsync();
                        return null; // the host's background work holds it for a moment
                    }
                }, c => c is not null, "a connection of the host's pool to be free"));
            return taken;
        }

        protected override async Task CleanUpAsync()
        {
            NpgsqlConnection.ClearAllPools();
            if (_database is not null)
                await _database.DisposeAsync();
        }

        private sealed class HeldConnections : List<NpgsqlConnection?>, IAsyncDisposable
        {
            public async ValueTask DisposeAsync()
            {
                foreach (var connection in this)
                    if (connection is not null)
                        await connection.DisposeAsync();
            }
        }
    }
}
