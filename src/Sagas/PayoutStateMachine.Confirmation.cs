using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Sagas;

// Confirmation: a payout the provider holds for the caller's approval (Dfns) is confirmed with
// the exact address and amount, canceled, or expires; confirm and cancel are refused elsewhere.
public sealed partial class PayoutStateMachine
{
    private void DuringConfirmation()
    {
        During(Submitted,
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.AwaitingConfirmation)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .Then(context => context.Saga.ConfirmationExpiresAt = Now + _timers.ConfirmationTimeout)
                .TransitionTo(AwaitingConfirmation)
                .Then(context => Record(context, "ProviderUpdated",
                    $"{context.Message.Source}: confirm {context.Saga.DepositAmount ?? context.Saga.Amount} {context.Saga.Currency} to {context.Saga.DepositAddress} before {context.Saga.ConfirmationExpiresAt:O}"))
                .Schedule(ConfirmationExpiry, context => new PayoutConfirmationExpired(context.Saga.CorrelationId))
                .Publish(context => new PayoutAwaitingConfirmation(
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Saga.DepositAddress ?? "",
                    new Money(context.Saga.DepositAmount ?? context.Saga.Amount, context.Saga.Currency, context.Saga.Network),
                    context.Saga.ConfirmationExpiresAt!.Value, Now)));

        During(AwaitingConfirmation,
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.AwaitingConfirmation)
                .Then(context => context.Saga.Absorb(context.Message.Update)),
            When(ConfirmRequested, context => ApprovedByItsCreator(context.Saga, context.Message))
                .Respond(context => CommandRejection(context, "ConfirmPayout", "same_approver",
                    $"{context.Message.By} requested this payout; another client must confirm it (Payouts:Approval:RequireDifferentApprover).")),
            When(ConfirmRequested, context => !ApprovedByItsCreator(context.Saga, context.Message) && ConfirmationMismatch(context.Saga, context.Message) is null)
                .Then(context => context.Saga.ConfirmationSentAt = Now)
                .TransitionTo(Confirming)
                .Then(context => Record(context, "ConfirmPayout", $"confirmed {context.Message.Amount} to {context.Message.DepositAddress}", context.Message.By))
                .Schedule(SubmissionOverdue, context => new PayoutSubmissionOverdue(context.Saga.CorrelationId))
                .Publish(context => new ConfirmProviderPayout(context.Saga.ToProviderPayout(), context.Saga.DepositAddress!))
                .If(IsRequest, r => r.Respond(context => context.Saga.ToSnapshot())),
            When(ConfirmRequested, context => !ApprovedByItsCreator(context.Saga, context.Message) && ConfirmationMismatch(context.Saga, context.Message) is not null)
                .Respond(context => CommandRejection(context, "ConfirmPayout", "confirmation_mismatch", ConfirmationMismatch(context.Saga, context.Message)!)),
            When(CancelRequested)
                .TransitionTo(Canceling)
                .Then(context => Record(context, "CancelPayout", context.Message.Reason ?? "canceled by request", context.Message.By))
                .Publish(context => new CancelProviderPayout(context.Saga.ToProviderPayout(), context.Message.Reason ?? "canceled by request"))
                .If(IsRequest, r => r.Respond(context => context.Saga.ToSnapshot())),
            When(ConfirmationExpiry.Received)
                .Unschedule(StatusPoll)
                .TransitionTo(Expired)
                .Then(context => Record(context, "ConfirmationExpired", $"not confirmed within {_timers.ConfirmationTimeout:g}; canceling at {context.Saga.Provider}"))
                .Publish(context => new CancelProviderPayout(context.Saga.ToProviderPayout(), "confirmation expired"))
                .Publish(context => new PayoutExpired(
                    context.Saga.CorrelationId, context.Saga.ExternalId, $"not confirmed within {_timers.ConfirmationTimeout:g}", Now)),
            // Processing after awaiting confirmation means a confirmation reached the provider (e.g. one whose answer was lost).
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.Processing)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .TransitionTo(Confirming)
                .Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus}, the provider has the confirmation"))
                .Schedule(SubmissionOverdue, context => new PayoutSubmissionOverdue(context.Saga.CorrelationId)));

        During(Confirming,
            // The provider has not seen the confirmation long after it was sent: it was lost (a crash
            // between the outbox and the provider). Send it again; a provider that already has it refuses.
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.AwaitingConfirmation)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .If(context => Now - context.Saga.ConfirmationSentAt >= _timers.SubmissionCheckDelay,
                    lost => lost
                        .Then(context => context.Saga.ConfirmationSentAt = Now)
                        .Then(context => Record(context, "ConfirmationResent",
                            $"{context.Saga.Provider} still awaits confirmation {_timers.SubmissionCheckDelay:g} after it was sent; sending it again"))
                        .Publish(context => new ConfirmProviderPayout(context.Saga.ToProviderPayout(), context.Saga.DepositAddress!))),
            When(ActionDeclined, context => Ours(context.Saga, context.Message.CheckId))
                .TransitionTo(AwaitingConfirmation)
                .Then(context => Record(context, "ProviderActionDeclined", $"{context.Message.Action}: {context.Message.Code} {context.Message.Message}"))
                .Publish(context => new PayoutCommandRejected(
                    context.Saga.CorrelationId, context.Saga.ExternalId, "ConfirmPayout", "provider_declined", $"{context.Saga.Provider} refused: {context.Message.Message}", Now)),
            When(ConfirmFaulted)
                .TransitionTo(AwaitingConfirmation)
                .Then(context => Record(context, "ConfirmFaulted", $"the confirmation could not be delivered ({FirstExceptionMessage(context.Message)}); confirm again")),
            AskProvider(When(SubmissionOverdue.Received)
                .Then(context => Record(context, "SubmissionOverdue", $"not settled within {_timers.SubmissionTimeout:g} of confirmation; asking {context.Saga.Provider}"))
                .Then(context => _logger.LogWarning("Payout {PayoutId}: confirmed {Timeout:g} ago and not settled at {Provider}; checking its status",
                    context.Saga.CorrelationId, _timers.SubmissionTimeout, context.Saga.Provider))),
            Ignore(ConfirmationExpiry.AnyReceived));

        During(Canceling,
            When(ActionDeclined, context => Ours(context.Saga, context.Message.CheckId))
                .TransitionTo(AwaitingConfirmation)
                .Then(context => Record(context, "ProviderActionDeclined", $"{context.Message.Action}: {context.Message.Code} {context.Message.Message}"))
                .Publish(context => new PayoutCommandRejected(
                    context.Saga.CorrelationId, context.Saga.ExternalId, "CancelPayout", "provider_declined", $"{context.Saga.Provider} refused: {context.Message.Message}", Now)),
            When(ConfirmationExpiry.Received)
                .Unschedule(StatusPoll)
                .TransitionTo(Expired)
                .Then(context => Record(context, "ConfirmationExpired", "expired while the cancellation was under way"))
                .Publish(context => new PayoutExpired(
                    context.Saga.CorrelationId, context.Saga.ExternalId, $"not confirmed within {_timers.ConfirmationTimeout:g}", Now)));

        // Confirm and cancel are only for a payout awaiting confirmation; elsewhere they are refused with the reason.
        // RespondAsync answers a request, or publishes the refusal when the command came without one.
        State[] notAwaitingConfirmation = [Requested, Submitted, Confirming, Canceling, Completed, Failed, Canceled, Expired, Rejected];
        During(notAwaitingConfirmation,
            When(ConfirmRequested)
                .Respond(context => CommandRejection(context, "ConfirmPayout", "invalid_state",
                    $"the payout is {context.Saga.CurrentState}; only a payout awaiting confirmation can be confirmed")));
        During(notAwaitingConfirmation,
            When(CancelRequested)
                .Respond(context => CommandRejection(context, "CancelPayout", "invalid_state",
                    $"the payout is {context.Saga.CurrentState}; only a payout awaiting confirmation can be canceled, before anything is paid")));
    }

    /// <summary>Null when the echoed address and amount are exactly what the provider waits for.</summary>
    /// <summary>The four-eyes rule, when it is on: whoever requested a payout does not also approve it.</summary>
    private bool ApprovedByItsCreator(PayoutState saga, ConfirmPayout confirm) =>
        _approval.RequireDifferentApprover && saga.Client is not null && confirm.By == saga.Client;

    private static string? ConfirmationMismatch(PayoutState saga, ConfirmPayout confirm)
    {
        if (saga.DepositAddress is null)
            return "the provider has not given a deposit address yet";
        if (!string.Equals(confirm.DepositAddress, saga.DepositAddress, StringComparison.Ordinal))
            return $"deposit address {confirm.DepositAddress} is not the provider's {saga.DepositAddress}";
        var expected = saga.DepositAmount ?? saga.Amount;
        if (confirm.Amount != expected)
            return $"amount {confirm.Amount} is not the payout amount {expected}";
        return null;
    }
}
