using MassTransit;
using MassTransit.Configuration;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Payouts.Bus.Domain;
using Payouts.Bus.Persistence.Access;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>
    /// The database from <c>Database:Provider</c> and <c>ConnectionStrings:Payouts</c> (SQLite file under
    /// ./data/ by default), the schema migrator, and migration at start unless <c>Database:MigrateOnStart</c> is false.
    /// </summary>
    public static IServiceCollection AddPayoutsPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);

        // Pooled: every message's scope takes a context whose EF services are already resolved
        // (building them per scope was the host's largest allocation in the bench profile).
        services.AddDbContextPool<PayoutsDbContext>(db =>
        {
            switch (options.Provider)
            {
                case DatabaseProvider.Postgres:
                    db.UseNpgsql(DatabaseConnectionStrings.Postgres(ServerConnectionString(options.Provider, connectionString), options));
                    break;
                case DatabaseProvider.SqlServer:
                    db.UseSqlServer(DatabaseConnectionStrings.SqlServer(ServerConnectionString(options.Provider, connectionString), options));
                    break;
                default:
                    db.UseSqlite(connectionString ?? DatabaseProvider.DefaultSqliteConnectionString).AddInterceptors(new SqliteBusyTimeout());
                    break;
            }
        });
        // Ready means the database answers too: without it nothing can be accepted or moved.
        services.AddHealthChecks().AddDbContextCheck<PayoutsDbContext>("database", tags: ["ready"]);
        services.AddScoped<SchemaMigrator>();
        services.AddScoped<IOutboxContextFactory<PayoutsDbContext>, PayoutsOutboxContextFactory>();
        services.AddSingleton<DeliveredOutboxRows>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IPayoutSubmissions, PayoutSubmissions>();
        services.AddScoped<PayoutsBusOutbox>();
        services.AddScoped<ProviderUpdateInbox>();
        services.AddScoped<PayoutsOverview>();
        services.AddScoped<PayoutSearch>();
        services.AddScoped<PayoutBatches>();
        services.AddScoped<ApiKeyStore>();
        // Hosted services start in this order: the schema first, then the delivery of stored messages.
        if (options.MigrateOnStart)
            services.AddHostedService<MigrateOnStart>();
        services.AddHostedService<OutboxDeliveryService>();
        return services;
    }

    /// <summary>Applies pending schema migrations and returns the versions applied.</summary>
    public static async Task<IReadOnlyList<string>> MigratePayoutsDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().MigrateAsync(cancellationToken);
    }

    /// <summary>Keeps payout sagas in the database instead of memory.</summary>
    public static ISagaRegistrationConfigurator<PayoutState> InPayoutsDatabase(this ISagaRegistrationConfigurator<PayoutState> saga) =>
        saga.Repository(r => r.RegisterSagaRepository<PayoutState, PayoutsDbContext, SagaConsumeContextFactory<PayoutsDbContext, PayoutState>,
            PayoutSagaRepositoryContextFactory>());

    /// <summary>
    /// The transactional outbox on an endpoint: each message is consumed once (inbox), and what its
    /// consumer or saga sends commits with its changes and leaves only after the commit.
    /// </summary>
    public static void UsePayoutsOutbox(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        var outbox = new OutboxConsumePipeSpecificationObserver<PayoutsDbContext>(endpoint, context)
        {
            // Deliver a transition's messages in one pass instead of one transaction per message.
            MessageDeliveryLimit = 50,
        };
        endpoint.ConnectConsumerConfigurationObserver(outbox);
        endpoint.ConnectSagaConfigurationObserver(outbox);
    }

    private sealed class MigrateOnStart(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => services.MigratePayoutsDatabaseAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static string ServerConnectionString(string provider, string? connectionString) =>
        connectionString ?? throw new InvalidOperationException(
            $"Database:Provider is {provider} but ConnectionStrings:{DatabaseOptions.ConnectionStringName} is not set.");
}
