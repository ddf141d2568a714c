using MassTransit;

namespace Payouts.Bus.Sagas;

/// <summary>How the payout saga's endpoint consumes: immediate retries for transient failures. The
/// outbox that makes a transition and its messages one commit is set by the host on this endpoint.</summary>
public sealed class PayoutStateMachineDefinition : SagaDefinition<PayoutState>
{
    public const string QueueName = "payout-state";

    public PayoutStateMachineDefinition()
    {
        Endpoint(e => e.Name = QueueName);
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<PayoutState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Immediate retries absorb concurrency conflicts; the pauses after them (33 s in all) a database
        // restart or failover. A message that still fails goes to the endpoint's _error queue with the
        // exception in its headers.
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Intervals(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500),
                TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15));
            // The state machine wraps what an activity throws: a forged message is refused at once.
            r.Ignore<EventExecutionException>(e => e.InnerException is UntrustedMessageException);
            r.Ignore<UntrustedMessageException>();
        });
    }
}
