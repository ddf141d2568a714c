using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Sagas;

// Terminal: a payout that ended never changes state again; what arrives later is recorded.
public sealed partial class PayoutStateMachine
{
    private void DuringTerminal()
    {
        // Terminal states are never left. News that arrives after them is recorded, and news that
        // money moved after we reported otherwise is logged as an error for a person to reconcile.
        During([Completed, Failed, Canceled, Expired, Rejected],
            When(ProviderUpdated)
                .Then(context => Record(context, "LateProviderUpdate", $"{context.Message.Source}: {context.Message.Update.ProviderStatus} ignored, the payout is {context.Saga.CurrentState}"))
                .If(context => context.Message.Update.Status == ProviderPayoutStatus.Completed && context.Saga.CurrentState != nameof(Completed),
                    moved => moved.Then(context => _logger.LogError(
                        "Payout {PayoutId}: {Provider} reports it completed (tx {TxHash}) after it ended {State}. Reconcile it by hand.",
                        context.Saga.CorrelationId, context.Saga.Provider, context.Message.Update.TxHash, context.Saga.CurrentState))),
            When(ProviderAccepted, context => Ours(context.Saga, context.Message.CheckId))
                .Then(context => Record(context, "LateProviderUpdate", $"create acknowledged ({context.Message.Update.ProviderStatus}) after the payout ended {context.Saga.CurrentState}")),
            When(ProviderDeclined, context => Ours(context.Saga, context.Message.CheckId))
                .Then(context => Record(context, "LateProviderUpdate", $"create declined ({context.Message.Code}) after the payout ended {context.Saga.CurrentState}")),
            Ignore(ActionDeclined),
            Ignore(Resumed),
            Ignore(SubmitFaulted),
            Ignore(ConfirmFaulted),
            Ignore(StatusPoll.AnyReceived),
            Ignore(ConfirmationExpiry.AnyReceived),
            Ignore(SubmissionOverdue.AnyReceived),
            Ignore(SubmitRetry.AnyReceived));
    }
}
