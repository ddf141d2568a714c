using Payouts.Bus.Persistence;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// The host as production runs it: RabbitMQ (the broker ./test.sh started, URL in
/// PAYOUTS_TEST_RABBITMQ, a virtual host of this run) and PostgreSQL (a database of its own).
/// </summary>
public class RabbitMqHostFixture : PayoutsHostFixture
{
    private TestDatabase? _database;

    public static string BrokerUrl => Environment.GetEnvironmentVariable("PAYOUTS_TEST_RABBITMQ")
        ?? throw new InvalidOperationException("RabbitMQ tests need PAYOUTS_TEST_RABBITMQ; run them with ./test.sh, which starts the broker.");

    protected override async Task<IReadOnlyDictionary<string, string>> PrepareAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        return new Dictionary<string, string>
        {
            ["Bus:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = BrokerUrl,
            ["Database:Provider"] = DatabaseProvider.Postgres,
            ["ConnectionStrings:Payouts"] = _database.ConnectionString,
        };
    }

    protected override async Task CleanUpAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqHostFixture>
{
    public const string Name = "rabbitmq";
}
