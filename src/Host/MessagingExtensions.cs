using MassTransit;
using Payouts.Bus.Consumers;
using Payouts.Bus.Contracts;
using Payouts.Bus.Host.Batches;
using Payouts.Bus.Host.Messaging;
using Payouts.Bus.Observability;
using Payouts.Bus.Persistence;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Host;

public static class MessagingExtensions
{
    /// <summary>
    /// The bus: the payout saga, the provider consumers, the request clients the gateway uses,
    /// and the transport from <c>Bus:Transport</c>.
    /// </summary>
    public static IServiceCollection AddPayoutMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BusOptions>().Bind(configuration.GetSection(BusOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.Transport != BusOptions.RabbitMq || o.InternalMessageKey is { Length: >= 32 },
                "Bus:InternalMessageKey is required on RabbitMQ (at least 32 characters, the same on every host): it signs the processor's internal messages.")
            .ValidateOnStart();
        var transport = configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        var signed = transport.Transport == BusOptions.RabbitMq && transport.InternalMessageKey is { Length: >= 32 };
        if (signed)
        {
            services.AddSingleton(new InternalMessageSignature(System.Text.Encoding.UTF8.GetBytes(transport.InternalMessageKey!)));
            services.AddSingleton<SignInternalMessagesObserver>();
            services.AddSendObserver(sp => sp.GetRequiredService<SignInternalMessagesObserver>());
            services.AddPublishObserver(sp => sp.GetRequiredService<SignInternalMessagesObserver>());
        }
        var gatewayTimeout = configuration.GetSection(PayoutsOptions.Section).Get<PayoutsOptions>()?.GatewayTimeout ?? new PayoutsOptions().GatewayTimeout;

        // The host does not serve HTTP before the bus is up: on a broker's first start, a request
        // published before the saga's queue is bound would be dropped by the broker unanswered.
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromMinutes(1);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddOptions<ReconciliationOptions>().Bind(configuration.GetSection(ReconciliationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<PayoutReconciliation>();
        services.AddMassTransit(bus =>
        {
            // A payout processor sends nothing to third parties that it does not need to (MassTransit reports usage by default).
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                if (transport.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    rabbit.SetQuorumQueue();
                var metrics = context.GetRequiredService<PayoutsMetrics>();
                var logger = context.GetRequiredService<ILoggerFactory>().CreateLogger("Payouts.Bus.DeadLetters");
                // The in-memory bus dies with its host: nothing to hand back to another one.
                var requeue = transport.Transport == BusOptions.RabbitMq
                    ? new RequeueWhileStoppingFilter(context.GetRequiredService<IHostApplicationLifetime>(), logger)
                    : null;
                endpoint.ConfigureError(error => DeadLetterTelemetryFilter.Configure(error, metrics, logger, requeue));
                var errorPipe = Pipe.New<ExceptionReceiveContext>(error => DeadLetterTelemetryFilter.Configure(error, metrics, logger, requeue));
                endpoint.ConfigureDeadLetter(x => x.UseFilter(new UnconsumedMessageFilter(errorPipe)));
                endpoint.UseConsumeFilter(typeof(PayoutLogScopeFilter<>), context);
                if (signed)
                    endpoint.UseConsumeFilter(typeof(VerifyInternalMessagesFilter<>), context);
                // The saga's transitions commit with what they send. The provider consumers hold no
                // transaction while they call a provider: what they report is safe to report twice.
                if (name == PayoutStateMachineDefinition.QueueName)
                    endpoint.UsePayoutsOutbox(context);
            });
            bus.AddDelayedMessageScheduler();
            bus.AddPayoutSaga().InPayoutsDatabase();
            bus.AddPayoutConsumers();
            bus.AddConsumer<RequestPayoutBatchConsumer, RequestPayoutBatchConsumerDefinition>();
            bus.AddRequestClient<RequestPayout>(gatewayTimeout);
            bus.AddRequestClient<ConfirmPayout>(gatewayTimeout);
            bus.AddRequestClient<CancelPayout>(gatewayTimeout);
            bus.AddRequestClient<GetPayout>(gatewayTimeout);
            bus.AddRequestClient<RequestPayoutQuote>(gatewayTimeout);

            if (transport.Transport == BusOptions.RabbitMq)
                bus.UsingRabbitMq((context, cfg) =>
                {
                    // amqp://user:password@host:5672/vhost; MassTransit reads all of it from the URI.
                    cfg.Host(new Uri(configuration.GetConnectionString(BusOptions.ConnectionStringName)
                        ?? throw new InvalidOperationException($"Bus:Transport is RabbitMq but ConnectionStrings:{BusOptions.ConnectionStringName} is not set.")));
                    Concurrency(cfg, transport);
                    cfg.MessageTopology.SetEntityNameFormatter(new BusEntityNames(cfg.MessageTopology.EntityNameFormatter));
                    cfg.UseBusInputLimits(plainJsonCommands: true);
                    // The event exchanges exist from the start: a subscriber binds to them without the
                    // right to declare (or delete) them (scripts/broker-users.sh).
                    cfg.DeployPublishTopology = true;
                    foreach (var type in BusEntityNames.Events)
                        cfg.Publish(type);
                    // Schedules become rows in the outbox; nothing asks the broker for a delay.
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            else
                bus.UsingInMemory((context, cfg) =>
                {
                    Concurrency(cfg, transport);
                    cfg.UseBusInputLimits(plainJsonCommands: false);
                    cfg.MessageTopology.SetEntityNameFormatter(new BusEntityNames(cfg.MessageTopology.EntityNameFormatter));
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
        });
        return services;
    }

    /// <summary>How many messages each endpoint takes ahead and handles at once: the same settings on either transport.</summary>
    private static void Concurrency(IBusFactoryConfigurator cfg, BusOptions transport)
    {
        cfg.PrefetchCount = transport.PrefetchCount;
        if (transport.ConcurrentMessageLimit is { } limit)
            cfg.ConcurrentMessageLimit = limit;
    }
}
