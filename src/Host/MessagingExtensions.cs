using MassTransit;
using Payouts.Bus.Consumers;
using Payouts.Bus.Contracts;
using Payouts.Bus.Persistence;
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
        services.AddOptions<BusOptions>().Bind(configuration.GetSection(BusOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var gatewayTimeout = configuration.GetSection(PayoutsOptions.Section).Get<PayoutsOptions>()?.GatewayTimeout ?? new PayoutsOptions().GatewayTimeout;

        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UsePayoutsOutbox(context));
            bus.AddDelayedMessageScheduler();
            bus.AddPayoutSaga().InPayoutsDatabase();
            bus.AddPayoutConsumers();
            bus.AddRequestClient<RequestPayout>(gatewayTimeout);
            bus.AddRequestClient<ConfirmPayout>(gatewayTimeout);
            bus.AddRequestClient<CancelPayout>(gatewayTimeout);
            bus.AddRequestClient<GetPayout>(gatewayTimeout);
            bus.AddRequestClient<RequestPayoutQuote>(gatewayTimeout);

            bus.UsingInMemory((context, cfg) =>
            {
                cfg.UseDelayedMessageScheduler();
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }
}
