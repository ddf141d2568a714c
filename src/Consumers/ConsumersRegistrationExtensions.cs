using MassTransit;

namespace Payouts.Bus.Consumers;

public static class ConsumersRegistrationExtensions
{
    /// <summary>Registers the consumers that carry out provider operations for the payout saga.</summary>
    public static IBusRegistrationConfigurator AddPayoutConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<SubmitProviderPayoutConsumer, ProviderConsumerDefinition<SubmitProviderPayoutConsumer>>();
        bus.AddConsumer<ConfirmProviderPayoutConsumer, ProviderConsumerDefinition<ConfirmProviderPayoutConsumer>>();
        bus.AddConsumer<CancelProviderPayoutConsumer, ProviderConsumerDefinition<CancelProviderPayoutConsumer>>();
        bus.AddConsumer<CheckProviderPayoutConsumer, ProviderConsumerDefinition<CheckProviderPayoutConsumer>>();
        bus.AddConsumer<RequestPayoutQuoteConsumer, ProviderConsumerDefinition<RequestPayoutQuoteConsumer>>();
        return bus;
    }

    /// <summary>The queues the consumers above read, as the kebab-case endpoint names make them (their <c>_error</c> twins hold what failed).</summary>
    public static readonly IReadOnlyList<string> QueueNames =
    [
        KebabCaseEndpointNameFormatter.Instance.Consumer<SubmitProviderPayoutConsumer>(),
        KebabCaseEndpointNameFormatter.Instance.Consumer<ConfirmProviderPayoutConsumer>(),
        KebabCaseEndpointNameFormatter.Instance.Consumer<CancelProviderPayoutConsumer>(),
        KebabCaseEndpointNameFormatter.Instance.Consumer<CheckProviderPayoutConsumer>(),
        KebabCaseEndpointNameFormatter.Instance.Consumer<RequestPayoutQuoteConsumer>(),
    ];
}
