using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Sagas;

// Provider status: while a payout is alive at its provider, what the provider says of it (by
// webhook, callback or poll) moves it. A final status ends it only when it answers a status check
// the saga asked for: one said by a webhook, or by a message nobody asked for (nothing on the bus is
// trusted for being there), is checked with the provider first, and the provider's answer wins.
// Polls and resumes ask again.
public sealed partial class PayoutStateMachine
{
    private void DuringProviderStatus()
    {
        During(Submitted, AwaitingConfirmation, Confirming, Canceling,
            [.. Ends(ProviderSays),
            AskProvider(When(ProviderUpdated, context => context.Message.Update.Status.IsFinal() && !AnswersOurCheck(context))
                .Then(context => Record(context, "ProviderUpdated",
                    $"{context.Message.Source}: {context.Message.Update.ProviderStatus}, not from a check we asked for: asking {context.Saga.Provider} before ending the payout"))),
            When(ProviderUpdated, context => context.Message.Update.Status is ProviderPayoutStatus.Pending or ProviderPayoutStatus.Processing)
                .If(context => context.Saga.Absorb(context.Message.Update),
                    changed => changed.Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus}"))),
            AskProvider(When(StatusPoll.Received))
                .Then(context => context.Saga.StatusPolls++)
                .Schedule(StatusPoll, context => new PayoutStatusPollDue(context.Saga.CorrelationId), NextStatusPoll),
            AskProvider(When(Resumed)
                .IfElse(context => context.Message.Reconciliation,
                    reconciling => reconciling.Then(context => _logger.LogWarning(
                        "Payout {PayoutId} has not changed since {UpdatedAt:u} ({State}): reconciliation asks {Provider} and polls again",
                        context.Saga.CorrelationId, context.Saga.UpdatedAt, context.Saga.CurrentState, context.Saga.Provider)),
                    restarted => restarted.Then(context => Record(context, "Resumed", $"after a restart: asking {context.Saga.Provider} and polling again"))))
                .Schedule(StatusPoll, context => new PayoutStatusPollDue(context.Saga.CorrelationId), NextStatusPoll),
            Ignore(SubmitRetry.AnyReceived)]);

        // The provider's own final word can reach a payout before the submission's report of the create
        // does (its webhook overtakes that report under load, and the webhook endpoint asks the provider
        // by the id the webhook names): the provider has the payout, so it was submitted, and the word
        // ends it as it would a submitted one. Not for payouts that wait for our confirmation first.
        During(Requested, Ends(status => When(ProviderUpdated, context => context.Message.Update.Status == status && ProviderHoldsIt(context))
            .Unschedule(SubmitRetry)
            .Then(context => Record(context, "ProviderAccepted", $"{context.Saga.Provider} reference {context.Message.Update.Reference}, " +
                "known from its answer to our check before the submission reported the create"))
            .Publish(context => new PayoutSubmitted(
                context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Message.Update.Reference ?? "", Now, context.Saga.Route))));
    }

    /// <summary>
    /// A final word the provider gave in answer to our check, naming its id for the payout: the create
    /// went through. (Answers are asked by id and count only when they are about this payout.)
    /// </summary>
    private static bool ProviderHoldsIt(BehaviorContext<PayoutState, ProviderPayoutUpdated> context) =>
        context.Message.Update.Status.IsFinal() && AnswersOurCheck(context) && context.Message.Update.Reference is not null
        && !ProviderProfiles.For(context.Saga.Provider).NeedsConfirmation;

    /// <summary>How a provider's final word ends a payout, one per final status, each on the word <paramref name="says"/> accepts.</summary>
    private EventActivities<PayoutState>[] Ends(Func<ProviderPayoutStatus, EventActivityBinder<PayoutState, ProviderPayoutUpdated>> says) =>
    [
        End(says(ProviderPayoutStatus.Completed), Completed,
            context => $"{context.Message.Update.ProviderStatus}, tx {context.Saga.TxHash}",
            context => new PayoutCompleted(context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider,
                context.Saga.ProviderReference ?? "", context.Saga.Money, context.Saga.TxHash, context.Saga.Fee, Now)),
        End(says(ProviderPayoutStatus.Failed)
                .Then(context => context.Saga.Fail("provider_failed", context.Message.Update.Message ?? context.Message.Update.ProviderStatus)), Failed,
            context => $"{context.Message.Update.ProviderStatus} {context.Message.Update.Message}",
            context => new PayoutFailed(context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider,
                "provider_failed", context.Saga.FailureMessage, Now)),
        End(says(ProviderPayoutStatus.Canceled), Canceled,
            context => context.Message.Update.ProviderStatus,
            context => new PayoutCanceled(context.Saga.CorrelationId, context.Saga.ExternalId, $"canceled at {context.Saga.Provider}", Now)),
        End(says(ProviderPayoutStatus.Expired), Expired,
            context => context.Message.Update.ProviderStatus,
            context => new PayoutExpired(context.Saga.CorrelationId, context.Saga.ExternalId, $"expired at {context.Saga.Provider}", Now)),
    ];

    private TimeSpan NextStatusPoll(BehaviorContext<PayoutState> context) =>
        _timers.NextStatusPoll(context.Saga.Provider, context.Saga.StatusPolls);

    /// <summary>
    /// How a provider's final word ends a payout, whichever it is: take what the update adds, stop
    /// every timer, enter the terminal state, record why, and tell subscribers.
    /// </summary>
    private EventActivityBinder<PayoutState, ProviderPayoutUpdated> End<TEvent>(
        EventActivityBinder<PayoutState, ProviderPayoutUpdated> binder, State terminal,
        Func<BehaviorContext<PayoutState, ProviderPayoutUpdated>, string> reason,
        EventMessageFactory<PayoutState, ProviderPayoutUpdated, TEvent> @event)
        where TEvent : class =>
        binder
            .Then(context => context.Saga.Absorb(context.Message.Update))
            .Unschedule(StatusPoll).Unschedule(ConfirmationExpiry).Unschedule(SubmissionOverdue)
            .TransitionTo(terminal)
            .Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {reason(context)}"))
            .Publish(@event);

    /// <summary>The provider's final word, as the answer to the status check the saga asked for last.</summary>
    private EventActivityBinder<PayoutState, ProviderPayoutUpdated> ProviderSays(ProviderPayoutStatus status) =>
        When(ProviderUpdated, context => context.Message.Update.Status == status && AnswersOurCheck(context));

    private static bool AnswersOurCheck(BehaviorContext<PayoutState, ProviderPayoutUpdated> context) => Ours(context.Saga, context.Message.CheckId);

    /// <summary>
    /// Asks the provider where the payout stands; the answer carries the payout's check id. One id per
    /// payout (made when it is opened; here for payouts opened before there were check ids): a new id
    /// per check would make every answer that crosses a newer check stale, and polls could then never end a payout.
    /// </summary>
    private static EventActivityBinder<PayoutState, TMessage> AskProvider<TMessage>(EventActivityBinder<PayoutState, TMessage> binder)
        where TMessage : class =>
        binder
            .Then(context => context.Saga.CheckId ??= NewId.NextGuid())
            .Publish(context => new CheckProviderPayout(context.Saga.ToProviderPayout()));
}
