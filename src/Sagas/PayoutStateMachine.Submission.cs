using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

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
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Saga.ProviderReference ?? "", Now, context.Saga.Route))
                .Schedule(StatusPoll, context => new PayoutStatusPollDue(context.Saga.CorrelationId), NextStatusPoll)
                // The provider may already be further along (a found earlier create): apply that through the usual rules.
                .If(context => context.Message.Update.Status is not (ProviderPayoutStatus.Pending or ProviderPayoutStatus.Processing),
                    further => further.Publish(context =>
                        new ProviderPayoutUpdated(context.Saga.CorrelationId, context.Message.Update, "create response", context.Message.CheckId)))
                // News that overtook this answer was only recorded: ask now rather than at the first poll, minutes away.
                .If(context => context.Saga.History.Any(h => h.Event == "ProviderUpdated" && h.State == nameof(Requested)),
                    overtaken => AskProvider(overtaken)),
            // A routed payout refused before anything was created goes to the next provider that may pay it.
            When(ProviderDeclined, context => Ours(context.Saga, context.Message.CheckId) && FailoverFor(context) is not null)
                .Then(context =>
                {
                    var from = context.Saga.Provider;
                    var route = FailoverFor(context)!;
                    context.Saga.FailedProviders = string.Join(',', context.Saga.Tried.Append(from));
                    context.Saga.Provider = route.Chosen!.Value;
                    context.Saga.Route = $"failed over from {from} ({context.Message.Code}: {context.Message.Message}) to {route.Reason}";
                    // A new check id: a late answer about the attempt at the provider left behind is not believed.
                    context.Saga.CheckId = NewId.NextGuid();
                })
                .Then(context => Record(context, "FailedOver", context.Saga.Route!))
                .Then(context => _logger.LogWarning("Payout {PayoutId}: {Route}", context.Saga.CorrelationId, context.Saga.Route))
                .Publish(context => new SubmitProviderPayout(context.Saga.ToProviderPayout()))
                .Unschedule(SubmitRetry)
                .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId), _ => _timers.SubmissionCheckDelay),
            When(ProviderDeclined, context => Ours(context.Saga, context.Message.CheckId) && FailoverFor(context) is null)
                .Then(context => context.Saga.Fail(context.Message.Code, context.Message.Message))
                .TransitionTo(Failed)
                .Then(context => Record(context, "ProviderDeclined", $"{context.Message.Code}: {context.Message.Message}"))
                .Publish(context => new PayoutFailed(
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Message.Code, context.Message.Message, Now)),
            // A webhook can overtake the consumer's own report of the create: recorded, and asked about once
            // the create is confirmed (unless the provider's own answer ends it: Provider status).
            When(ProviderUpdated, context => !ProviderHoldsIt(context))
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

    /// <summary>
    /// Where a refused payout goes next: only a routed payout, only after a refusal that says nothing
    /// was created on its first attempt, and only to a provider not tried yet; null when it fails instead.
    /// </summary>
    private PayoutRoute? FailoverFor(BehaviorContext<PayoutState, ProviderPayoutDeclined> context) =>
        context.GetOrAddPayload(() =>
            context.Saga.Routed && context.Message.NothingCreated && ProviderFailover.LeavesNothingCreated(context.Message.Code)
            && _router.Route(context.Saga.AsRequest(), [.. context.Saga.Tried, context.Saga.Provider]) is { Chosen: not null } next
                ? new Failover(next)
                : new Failover(null)).Route;

    private sealed record Failover(PayoutRoute? Route);
}
