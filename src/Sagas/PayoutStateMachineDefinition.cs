using MassTransit;

namespace Payouts.Bus.Sagas;

/// <summary>How the payout saga's endpoint consumes: retries for transient failures, and messages
/// published by a transition leave only after the transition succeeded.</summary>
public sealed class PayoutStateMachineDefinition : SagaDefinition<PayoutState>
{
    public PayoutStateMachineDefinition()
    {
        Endpoint(e => e.Name = "payout-state");
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<PayoutState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Immediate retries absorb concurrency conflicts and a busy database; a message that still
        // fails goes to the endpoint's _error queue with the exception in its headers.
        endpointConfigurator.UseMessageRetry(r => r.Immediate(5));
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
