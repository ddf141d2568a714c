using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Sagas;

// Submission: a Requested payout waits for its provider to take it (Submitted) or refuse it
// (Failed). A submission that failed every retry, was never acknowledged, or may have died with
// the process, is sent again; after an earlier attempt the provider clients find its create
// first, so nothing is paid twice.
public sealed partial class PayoutStateMachine
{
    private void DuringSubmission()
    {
        During(Requested,
            When(ProviderAccepted, context => Ours(context.Saga, context.Message.CheckId))
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .Unschedule(SubmitRetry)
                .TransitionTo(Submitted)
                .Then(context => Record(context, "ProviderAccepted", $"{context.Saga.Provider} reference {context.Saga.ProviderReference}, status {context.Saga.ProviderStatus}"))
                .Publish(context => new PayoutSubmitted(
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Saga.ProviderReference ?? "", Now))
                .Schedule(StatusPoll, context => new PayoutStatusPollDue(context.Saga.CorrelationId), NextStatusPoll)
                // The provider may already be further along (a found earlier create): apply that through the usual rules.
                .If(context => context.Message.Update.Status is not (ProviderPayoutStatus.Pending or ProviderPayoutStatus.Processing),
                    further => further.Publish(context =>
                        new ProviderPayoutUpdated(context.Saga.CorrelationId, context.Message.Update, "create response", context.Message.CheckId)))
                // News that overtook this answer was only recorded: ask now rather than at the first poll, minutes away.
                .If(context => context.Saga.History.Any(h => h.Event == "ProviderUpdated" && h.State == nameof(Requested)),
                    overtaken => AskProvider(overtaken)),
            When(ProviderDeclined, context => Ours(context.Saga, context.Message.CheckId))
                .Then(context => context.Saga.Fail(context.Message.Code, context.Message.Message))
                .TransitionTo(Failed)
                .Then(context => Record(context, "ProviderDeclined", $"{context.Message.Code}: {context.Message.Message}"))
                .Publish(context => new PayoutFailed(
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Message.Code, context.Message.Message, Now)),
            // A webhook can overtake the consumer's own report of the create: recorded, and asked about once the create is confirmed.
            When(ProviderUpdated)
                .Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus} before the create was confirmed; {context.Saga.Provider} is asked once it is")),
            When(SubmitFaulted)
                .Then(context => Record(context, "SubmitFaulted",
                    $"every attempt to submit failed ({FirstExceptionMessage(context.Message)}); submitting again in {_timers.SubmitRetryDelay:g}"))
                .Then(context => _logger.LogError("Payout {PayoutId}: submission to {Provider} failed after retries: {Reason}",
                    context.Saga.CorrelationId, context.Saga.Provider, FirstExceptionMessage(context.Message)))
                .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId)),
            // The submission may have died with the process: submit now. If it got through, the
            // attempt record makes this one look the payout up instead of creating it again.
            When(Resumed)
                .Then(context => Record(context, "Resumed", $"after a restart: submitting again; {context.Saga.Provider} is asked first whether an earlier attempt created it"))
                .Publish(context => new SubmitProviderPayout(context.Saga.ToProviderPayout()))
                .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId), _ => _timers.SubmissionCheckDelay),
            When(SubmitRetry.Received)
                .Then(context => Record(context, "SubmitRetry", "not acknowledged by the provider yet: submitting again; the provider client finds any earlier create first"))
                .Publish(context => new SubmitProviderPayout(context.Saga.ToProviderPayout()))
                .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId), _ => _timers.SubmissionCheckDelay));
    }
}
