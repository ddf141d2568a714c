using Payouts.Bus.Persistence;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// The host as production runs it: RabbitMQ (the broker ./test.sh started, URL in
/// PAYOUTS_TEST_RABBITMQ) in a virtual host of this fixture's own, so that hosts of fixtures running
/// side by side never consume each other's messages, and PostgreSQL (a database of its own).
/// </summary>
public class RabbitMqHostFixture : PayoutsHostFixture
{
    private TestDatabase? _database;
    private RabbitMqBroker.VirtualHost? _virtualHost;

    public static string BrokerUrl => Environment.GetEnvironmentVariable("PAYOUTS_TEST_RABBITMQ")
        ?? throw new InvalidOperationException("RabbitMQ tests need PAYOUTS_TEST_RABBITMQ; run them with ./test.sh, which starts the broker.");

    protected override async Task<IReadOnlyDictionary<string, string>> PrepareAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        _virtualHost = await RabbitMqBroker.CreateVirtualHostAsync();
        return new Dictionary<string, string>
        {
            ["Bus:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = _virtualHost.Url,
            ["Bus:InternalMessageKey"] = TestApiKeys.InternalMessageKey,
            ["Database:Provider"] = DatabaseProvider.Postgres,
            ["ConnectionStrings:Payouts"] = _database.ConnectionString,
        };
    }

    /// <summary>The broker as this fixture's host uses it, for test upstreams and raw publishers.</summary>
    public string HostBrokerUrl => _virtualHost?.Url ?? throw new InvalidOperationException("The fixture has not started.");

    protected override async Task CleanUpAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
        if (_virtualHost is not null)
            await _virtualHost.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqHostFixture>
{
    public const string Name = "rabbitmq";
}
