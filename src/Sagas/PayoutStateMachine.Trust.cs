using MassTransit;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Sagas;

// Trust: nothing on the bus is believed for being there. The provider consumers' answers (accepted,
// declined, action declined) carry the payout's check id, which the saga sends with every request
// and which never leaves the processor's own messages. An answer without it was not sent by them: it
// is refused, changing nothing, and the message goes to the error queue with the reason. (A final
// status without it is not refused but checked with the provider: see ProviderStatus.)
public sealed partial class PayoutStateMachine
{
    private void RefuseAnswersNobodyAskedFor()
    {
        DuringAny(
            When(ProviderAccepted, context => !Ours(context.Saga, context.Message.CheckId)).Then(Refuse),
            When(ProviderDeclined, context => !Ours(context.Saga, context.Message.CheckId)).Then(Refuse),
            When(ActionDeclined, context => !Ours(context.Saga, context.Message.CheckId)).Then(Refuse));
    }

    private static bool Ours(PayoutState saga, Guid? checkId) => checkId is { } id && id == saga.CheckId;

    private static void Refuse<TMessage>(BehaviorContext<PayoutState, TMessage> context)
        where TMessage : class =>
        throw new UntrustedMessageException(
            $"{typeof(TMessage).Name} for payout {context.Saga.CorrelationId} does not carry the payout's check id: it was not sent by the processor's provider consumers, and changes nothing.");
}

/// <summary>A message that claims to answer the processor but was not sent by it. Not retried: it goes to the error queue.</summary>
public sealed class UntrustedMessageException(string message) : Exception(message);
