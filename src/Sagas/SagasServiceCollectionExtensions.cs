using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payouts.Bus.Domain;
using Payouts.Bus.Observability;

namespace Payouts.Bus.Sagas;

public static class SagasServiceCollectionExtensions
{
    /// <summary>The payout lifecycle timers, validated at start-up.</summary>
    public static IServiceCollection AddPayoutLifecycle(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PayoutLifecycleOptions>()
            .Bind(configuration.GetSection(PayoutLifecycleOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<PayoutApprovalOptions>().Bind(configuration.GetSection(PayoutApprovalOptions.Section));
        services.AddOptions<RoutingOptions>().Bind(configuration.GetSection(RoutingOptions.Section))
            .Validate(o => o.Rules.All(r => r.Providers.Count > 0), "Every Routing:Rules entry names its Providers, in order of preference.")
            .Validate(o => o.Rules.All(r => !r.PreferLowestFee || (r.Currency is not null && r.Network is not null)),
                "A Routing:Rules entry with PreferLowestFee names its Currency and Network: fees are quoted for one asset.")
            .Validate(o => o.FeeRefreshInterval >= TimeSpan.FromSeconds(10), "Routing:FeeRefreshInterval is at least 10 seconds.")
            .ValidateOnStart();
        services.AddSingleton(sp => new PayoutRouter(sp.GetRequiredService<IOptions<RoutingOptions>>().Value,
            sp.GetRequiredService<ConfiguredProviders>(), sp.GetRequiredService<IProviderHealth>(), sp.GetRequiredService<IProviderFees>()));
        return services;
    }

    /// <summary>Registers the payout saga on the bus; the caller chooses where its state is kept.</summary>
    public static ISagaRegistrationConfigurator<PayoutState> AddPayoutSaga(this IBusRegistrationConfigurator bus)
    {
        // The state machine counts its transitions.
        bus.TryAddSingleton<PayoutsMetrics>();
        return bus.AddSagaStateMachine<PayoutStateMachine, PayoutState, PayoutStateMachineDefinition>();
    }
}
