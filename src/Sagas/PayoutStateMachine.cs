using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Observability;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Sagas;

/// <summary>
/// The life of one payout, from request to one of the terminal states
/// (<see cref="Completed"/>, <see cref="Failed"/>, <see cref="Canceled"/>, <see cref="Expired"/>, <see cref="Rejected"/>).
/// <code>
///  RequestPayout ─invalid─▶ Rejected
///       │valid
///       ▼
///   Requested ──provider declined──▶ Failed
///       │provider accepted
///       ▼
///   Submitted ──────────────────────────────────────▶ Completed / Failed / Canceled / Expired
///       │provider awaits confirmation (Dfns)              ▲ (provider status, by webhook or poll)
///       ▼                                                 │
///   AwaitingConfirmation ─ConfirmPayout─▶ Confirming ─────┘
///       │CancelPayout            │24 h
///       ▼                        ▼
///   Canceling ──▶ Canceled     Expired
/// </code>
/// Rules: a terminal state is never left (later provider news is recorded in the history and
/// ignored); every transition is appended to the history with its time and reason; a request
/// repeated with the same external id and content answers with the same payout.
/// </summary>
public sealed class PayoutStateMachine : MassTransitStateMachine<PayoutState>
{
    private readonly TimeProvider _clock;
    private readonly ILogger<PayoutStateMachine> _logger;

    public PayoutStateMachine(IOptions<PayoutLifecycleOptions> options, TimeProvider clock, PayoutsMetrics metrics, ILogger<PayoutStateMachine> logger)
    {
        _clock = clock;
        _logger = logger;
        var timers = options.Value;

        InstanceState(x => x.CurrentState);
        this.ConnectStateObserver(new PayoutTransitionTelemetry(metrics, clock, [Completed, Failed, Canceled, Expired, Rejected]));

        // Stale timers and late duplicates are expected in a distributed lifecycle: record them in the
        // log and move on, rather than faulting the message.
        OnUnhandledEvent(context =>
        {
            _logger.LogWarning("Payout {PayoutId}: {Event} ignored in state {State}", context.Saga.CorrelationId, context.Event.Name, context.Saga.CurrentState);
            return Task.CompletedTask;
        });

        // A payout is found by its external id, so that any number of requests with one key make one payout.
        Event(() => PayoutRequested, e => e
            .CorrelateBy((saga, context) => saga.ExternalId == context.Message.ExternalId)
            .SelectId(context => context.Message.PayoutId == Guid.Empty ? NewId.NextGuid() : context.Message.PayoutId));
        Event(() => ConfirmRequested, e =>
        {
            e.CorrelateById(context => context.Message.PayoutId);
            e.OnMissingInstance(m => m.ExecuteAsync(context => context.RespondAsync(new PayoutNotFound(context.Message.PayoutId))));
        });
        Event(() => CancelRequested, e =>
        {
            e.CorrelateById(context => context.Message.PayoutId);
            e.OnMissingInstance(m => m.ExecuteAsync(context => context.RespondAsync(new PayoutNotFound(context.Message.PayoutId))));
        });
        Event(() => StatusRequested, e =>
        {
            e.CorrelateById(context => context.Message.PayoutId);
            e.OnMissingInstance(m => m.ExecuteAsync(context => context.RespondAsync(new PayoutNotFound(context.Message.PayoutId))));
        });
        // Provider news about a payout we do not have is a fault: it lands in the error queue, visible.
        Event(() => ProviderAccepted, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ProviderDeclined, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ProviderUpdated, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ActionDeclined, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => Resumed, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SubmitFaulted, e => { e.CorrelateById(context => context.Message.Message.Payout.PayoutId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => ConfirmFaulted, e => { e.CorrelateById(context => context.Message.Message.Payout.PayoutId); e.OnMissingInstance(m => m.Discard()); });

        Schedule(() => ConfirmationExpiry, x => x.ConfirmationExpiryTokenId, s =>
        {
            s.Delay = timers.ConfirmationTimeout;
            s.Received = r => r.CorrelateById(context => context.Message.PayoutId);
        });
        Schedule(() => SubmissionOverdue, x => x.SubmissionExpiryTokenId, s =>
        {
            s.Delay = timers.SubmissionTimeout;
            s.Received = r => r.CorrelateById(context => context.Message.PayoutId);
        });
        Schedule(() => StatusPoll, x => x.StatusPollTokenId, s =>
        {
            s.Delay = timers.StatusPollInterval;
            s.Received = r => r.CorrelateById(context => context.Message.PayoutId);
        });
        Schedule(() => SubmitRetry, x => x.SubmitRetryTokenId, s =>
        {
            s.Delay = timers.SubmitRetryDelay;
            s.Received = r => r.CorrelateById(context => context.Message.PayoutId);
        });

        Initially(
            When(PayoutRequested)
                .Then(context => context.Saga.Open(context.Message, Now))
                .IfElse(context => PayoutRequestValidator.Validate(context.Message).Count == 0,
                    valid => valid
                        .TransitionTo(Requested)
                        .Then(context => Record(context, "RequestPayout", $"{context.Saga.Money} to {context.Saga.Destination} via {context.Saga.Provider}"))
                        .Publish(context => new PayoutAccepted(
                            context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Saga.Money, context.Saga.Destination, Now))
                        .Publish(context => new SubmitProviderPayout(context.Saga.ToProviderPayout()))
                        .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId), _ => timers.SubmissionCheckDelay)
                        .If(IsRequest, r => r.Respond(context => context.Saga.ToSnapshot())),
                    invalid => invalid
                        .Then(context => context.Saga.Fail("validation_failed", Describe(PayoutRequestValidator.Validate(context.Message))))
                        .TransitionTo(Rejected)
                        .Then(context => Record(context, "RequestPayout", context.Saga.FailureMessage!))
                        .Publish(context => InvalidRequest(context.Message))
                        .If(IsRequest, r => r.Respond(context => InvalidRequest(context.Message)))));

        DuringAny(
            When(StatusRequested)
                .Respond(context => context.Saga.ToSnapshot()),
            When(PayoutRequested, context => context.Saga.RequestFingerprint == PayoutFingerprint.Of(context.Message))
                .Then(context => _logger.LogInformation("Payout {PayoutId}: repeated request for external id {ExternalId} answered with the existing payout",
                    context.Saga.CorrelationId, context.Saga.ExternalId))
                .If(IsRequest, r => r.Respond(context => context.Saga.ToSnapshot())),
            When(PayoutRequested, context => context.Saga.RequestFingerprint != PayoutFingerprint.Of(context.Message))
                .Then(context => _logger.LogWarning("Payout {PayoutId}: request {RequestedId} reuses external id {ExternalId} with different content; refused",
                    context.Saga.CorrelationId, context.Message.PayoutId, context.Saga.ExternalId))
                .Publish(context => ExternalIdConflict(context.Saga, context.Message))
                .If(IsRequest, r => r.Respond(context => ExternalIdConflict(context.Saga, context.Message))));

        During(Requested,
            When(ProviderAccepted)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .Unschedule(SubmitRetry)
                .TransitionTo(Submitted)
                .Then(context => Record(context, "ProviderAccepted", $"{context.Saga.Provider} reference {context.Saga.ProviderReference}, status {context.Saga.ProviderStatus}"))
                .Publish(context => new PayoutSubmitted(
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Saga.ProviderReference ?? "", Now))
                .Schedule(StatusPoll, context => new PayoutStatusPollDue(context.Saga.CorrelationId))
                // The provider may already be further along (a found earlier create): apply that through the usual rules.
                .If(context => context.Message.Update.Status is not (ProviderPayoutStatus.Pending or ProviderPayoutStatus.Processing),
                    further => further.Publish(context =>
                        new ProviderPayoutUpdated(context.Saga.CorrelationId, context.Message.Update, "create response"))),
            When(ProviderDeclined)
                .Then(context => context.Saga.Fail(context.Message.Code, context.Message.Message))
                .TransitionTo(Failed)
                .Then(context => Record(context, "ProviderDeclined", $"{context.Message.Code}: {context.Message.Message}"))
                .Publish(context => new PayoutFailed(
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Message.Code, context.Message.Message, Now)),
            // A webhook can overtake the consumer's own report of the create; the poll after it catches up.
            When(ProviderUpdated)
                .Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus} before the create was confirmed; the status poll will apply it")),
            When(SubmitFaulted)
                .Then(context => Record(context, "SubmitFaulted",
                    $"every attempt to submit failed ({FirstExceptionMessage(context.Message)}); submitting again in {timers.SubmitRetryDelay:g}"))
                .Then(context => _logger.LogError("Payout {PayoutId}: submission to {Provider} failed after retries: {Reason}",
                    context.Saga.CorrelationId, context.Saga.Provider, FirstExceptionMessage(context.Message)))
                .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId)),
            When(Resumed)
                .Then(context => Record(context, "Resumed", $"after a restart: submitting again in {timers.SubmissionCheckDelay:g} unless {context.Saga.Provider} acknowledges it first"))
                .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId), _ => timers.SubmissionCheckDelay),
            When(SubmitRetry.Received)
                .Then(context => Record(context, "SubmitRetry", "not acknowledged by the provider yet: submitting again; the provider client finds any earlier create first"))
                .Publish(context => new SubmitProviderPayout(context.Saga.ToProviderPayout()))
                .Schedule(SubmitRetry, context => new PayoutSubmitRetryDue(context.Saga.CorrelationId), _ => timers.SubmissionCheckDelay));

        // Provider status → lifecycle, in every state where the payout is alive at the provider.
        During(Submitted, AwaitingConfirmation, Confirming, Canceling,
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.Completed)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .Unschedule(StatusPoll).Unschedule(ConfirmationExpiry).Unschedule(SubmissionOverdue)
                .TransitionTo(Completed)
                .Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus}, tx {context.Saga.TxHash}"))
                .Publish(context => new PayoutCompleted(
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, context.Saga.ProviderReference ?? "",
                    context.Saga.Money, context.Saga.TxHash, context.Saga.Fee, Now)),
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.Failed)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .Then(context => context.Saga.Fail("provider_failed", context.Message.Update.Message ?? context.Message.Update.ProviderStatus))
                .Unschedule(StatusPoll).Unschedule(ConfirmationExpiry).Unschedule(SubmissionOverdue)
                .TransitionTo(Failed)
                .Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus} {context.Message.Update.Message}"))
                .Publish(context => new PayoutFailed(
                    context.Saga.CorrelationId, context.Saga.ExternalId, context.Saga.Provider, "provider_failed", context.Saga.FailureMessage, Now)),
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.Canceled)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .Unschedule(StatusPoll).Unschedule(ConfirmationExpiry).Unschedule(SubmissionOverdue)
                .TransitionTo(Canceled)
                .Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus}"))
                .Publish(context => new PayoutCanceled(
                    context.Saga.CorrelationId, context.Saga.ExternalId, $"canceled at {context.Saga.Provider}", Now)),
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.Expired)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .Unschedule(StatusPoll).Unschedule(ConfirmationExpiry).Unschedule(SubmissionOverdue)
                .TransitionTo(Expired)
                .Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus}"))
                .Publish(context => new PayoutExpired(
                    context.Saga.CorrelationId, context.Saga.ExternalId, $"expired at {context.Saga.Provider}", Now)),
            When(ProviderUpdated, context => context.Message.Update.Status is ProviderPayoutStatus.Pending or ProviderPayoutStatus.Processing)
                .If(context => context.Saga.Absorb(context.Message.Update),
                    changed => changed.Then(context => Record(context, "ProviderUpdated", $"{context.Message.Source}: {context.Message.Update.ProviderStatus}"))),
            When(StatusPoll.Received)
                .Publish(context => new CheckProviderPayout(context.Saga.ToProviderPayout()))
                .Schedule(StatusPoll, context => new PayoutStatusPollDue(context.Saga.CorrelationId)),
            When(Resumed)
                .IfElse(context => context.Message.Reconciliation,
                    reconciling => reconciling.Then(context => _logger.LogWarning(
                        "Payout {PayoutId} has not changed since {UpdatedAt:u} ({State}): reconciliation asks {Provider} and polls again",
                        context.Saga.CorrelationId, context.Saga.UpdatedAt, context.Saga.CurrentState, context.Saga.Provider)),
                    restarted => restarted.Then(context => Record(context, "Resumed", $"after a restart: asking {context.Saga.Provider} and polling again")))
                .Publish(context => new CheckProviderPayout(context.Saga.ToProviderPayout()))
                .Schedule(StatusPoll, context => new PayoutStatusPollDue(context.Saga.CorrelationId)),
            Ignore(SubmitRetry.AnyReceived));

        During(Submitted,
            When(ProviderUpdated, context => context.Message.Update.Status == ProviderPayoutStatus.AwaitingConfirmation)
                .Then(context => context.Saga.Absorb(context.Message.Update))
                .Then(context => context.Saga.ConfirmationExpiresAt = Now + timers.ConfirmationTimeout)
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
            When(ConfirmRequested, context => ConfirmationMismatch(context.Saga, context.Message) is null)
                .Then(context => context.Saga.ConfirmationSentAt = Now)
                .TransitionTo(Confirming)
                .Then(context => Record(context, "ConfirmPayout", $"confirmed {context.Message.Amount} to {context.Message.DepositAddress}"))
                .Schedule(SubmissionOverdue, context => new PayoutSubmissionOverdue(context.Saga.CorrelationId))
                .Publish(context => new ConfirmProviderPayout(context.Saga.ToProviderPayout(), context.Saga.DepositAddress!))
                .If(IsRequest, r => r.Respond(context => context.Saga.ToSnapshot())),
            When(ConfirmRequested, context => ConfirmationMismatch(context.Saga, context.Message) is not null)
                .Respond(context => CommandRejection(context, "ConfirmPayout", "confirmation_mismatch", ConfirmationMismatch(context.Saga, context.Message)!)),
            When(CancelRequested)
                .TransitionTo(Canceling)
                .Then(context => Record(context, "CancelPayout", context.Message.Reason ?? "canceled by request"))
                .Publish(context => new CancelProviderPayout(context.Saga.ToProviderPayout(), context.Message.Reason ?? "canceled by request"))
                .If(IsRequest, r => r.Respond(context => context.Saga.ToSnapshot())),
            When(ConfirmationExpiry.Received)
                .Unschedule(StatusPoll)
                .TransitionTo(Expired)
                .Then(context => Record(context, "ConfirmationExpired", $"not confirmed within {timers.ConfirmationTimeout:g}; canceling at {context.Saga.Provider}"))
                .Publish(context => new CancelProviderPayout(context.Saga.ToProviderPayout(), "confirmation expired"))
                .Publish(context => new PayoutExpired(
                    context.Saga.CorrelationId, context.Saga.ExternalId, $"not confirmed within {timers.ConfirmationTimeout:g}", Now)),
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
                .If(context => Now - context.Saga.ConfirmationSentAt >= timers.SubmissionCheckDelay,
                    lost => lost
                        .Then(context => context.Saga.ConfirmationSentAt = Now)
                        .Then(context => Record(context, "ConfirmationResent",
                            $"{context.Saga.Provider} still awaits confirmation {timers.SubmissionCheckDelay:g} after it was sent; sending it again"))
                        .Publish(context => new ConfirmProviderPayout(context.Saga.ToProviderPayout(), context.Saga.DepositAddress!))),
            When(ActionDeclined)
                .TransitionTo(AwaitingConfirmation)
                .Then(context => Record(context, "ProviderActionDeclined", $"{context.Message.Action}: {context.Message.Code} {context.Message.Message}"))
                .Publish(context => new PayoutCommandRejected(
                    context.Saga.CorrelationId, context.Saga.ExternalId, "ConfirmPayout", "provider_declined", $"{context.Saga.Provider} refused: {context.Message.Message}", Now)),
            When(ConfirmFaulted)
                .TransitionTo(AwaitingConfirmation)
                .Then(context => Record(context, "ConfirmFaulted", $"the confirmation could not be delivered ({FirstExceptionMessage(context.Message)}); confirm again")),
            When(SubmissionOverdue.Received)
                .Then(context => Record(context, "SubmissionOverdue", $"not settled within {timers.SubmissionTimeout:g} of confirmation; asking {context.Saga.Provider}"))
                .Then(context => _logger.LogWarning("Payout {PayoutId}: confirmed {Timeout:g} ago and not settled at {Provider}; checking its status",
                    context.Saga.CorrelationId, timers.SubmissionTimeout, context.Saga.Provider))
                .Publish(context => new CheckProviderPayout(context.Saga.ToProviderPayout())),
            Ignore(ConfirmationExpiry.AnyReceived));

        During(Canceling,
            When(ActionDeclined)
                .TransitionTo(AwaitingConfirmation)
                .Then(context => Record(context, "ProviderActionDeclined", $"{context.Message.Action}: {context.Message.Code} {context.Message.Message}"))
                .Publish(context => new PayoutCommandRejected(
                    context.Saga.CorrelationId, context.Saga.ExternalId, "CancelPayout", "provider_declined", $"{context.Saga.Provider} refused: {context.Message.Message}", Now)),
            When(ConfirmationExpiry.Received)
                .Unschedule(StatusPoll)
                .TransitionTo(Expired)
                .Then(context => Record(context, "ConfirmationExpired", "expired while the cancellation was under way"))
                .Publish(context => new PayoutExpired(
                    context.Saga.CorrelationId, context.Saga.ExternalId, $"not confirmed within {timers.ConfirmationTimeout:g}", Now)));

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

        // Terminal states are never left. News that arrives after them is recorded, and news that
        // money moved after we reported otherwise is logged as an error for a person to reconcile.
        During([Completed, Failed, Canceled, Expired, Rejected],
            When(ProviderUpdated)
                .Then(context => Record(context, "LateProviderUpdate", $"{context.Message.Source}: {context.Message.Update.ProviderStatus} ignored, the payout is {context.Saga.CurrentState}"))
                .If(context => context.Message.Update.Status == ProviderPayoutStatus.Completed && context.Saga.CurrentState != nameof(Completed),
                    moved => moved.Then(context => _logger.LogError(
                        "Payout {PayoutId}: {Provider} reports it completed (tx {TxHash}) after it ended {State}. Reconcile it by hand.",
                        context.Saga.CorrelationId, context.Saga.Provider, context.Message.Update.TxHash, context.Saga.CurrentState))),
            When(ProviderAccepted)
                .Then(context => Record(context, "LateProviderUpdate", $"create acknowledged ({context.Message.Update.ProviderStatus}) after the payout ended {context.Saga.CurrentState}")),
            When(ProviderDeclined)
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

    public State Requested { get; private set; } = null!;
    public State Submitted { get; private set; } = null!;
    public State AwaitingConfirmation { get; private set; } = null!;
    public State Confirming { get; private set; } = null!;
    public State Canceling { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Canceled { get; private set; } = null!;
    public State Expired { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;

    public Event<RequestPayout> PayoutRequested { get; private set; } = null!;
    public Event<ConfirmPayout> ConfirmRequested { get; private set; } = null!;
    public Event<CancelPayout> CancelRequested { get; private set; } = null!;
    public Event<GetPayout> StatusRequested { get; private set; } = null!;
    public Event<ProviderPayoutAccepted> ProviderAccepted { get; private set; } = null!;
    public Event<ProviderPayoutDeclined> ProviderDeclined { get; private set; } = null!;
    public Event<ProviderPayoutUpdated> ProviderUpdated { get; private set; } = null!;
    public Event<ProviderActionDeclined> ActionDeclined { get; private set; } = null!;
    public Event<ResumePayout> Resumed { get; private set; } = null!;
    public Event<Fault<SubmitProviderPayout>> SubmitFaulted { get; private set; } = null!;
    public Event<Fault<ConfirmProviderPayout>> ConfirmFaulted { get; private set; } = null!;

    public Schedule<PayoutState, PayoutConfirmationExpired> ConfirmationExpiry { get; private set; } = null!;
    public Schedule<PayoutState, PayoutSubmissionOverdue> SubmissionOverdue { get; private set; } = null!;
    public Schedule<PayoutState, PayoutStatusPollDue> StatusPoll { get; private set; } = null!;
    public Schedule<PayoutState, PayoutSubmitRetryDue> SubmitRetry { get; private set; } = null!;

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private void Record<T>(BehaviorContext<PayoutState, T> context, string @event, string reason)
        where T : class
    {
        context.Saga.Record(@event, reason, Now);
        _logger.LogInformation("Payout {PayoutId} {State} on {Event}: {Reason}", context.Saga.CorrelationId, context.Saga.CurrentState, @event, reason);
    }

    private static bool IsRequest<T>(BehaviorContext<PayoutState, T> context)
        where T : class => context.ResponseAddress is not null;

    /// <summary>Null when the echoed address and amount are exactly what the provider waits for.</summary>
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

    private PayoutCommandRejected CommandRejection<T>(BehaviorContext<PayoutState, T> context, string command, string code, string reason)
        where T : class
    {
        _logger.LogWarning("Payout {PayoutId}: {Command} refused: {Reason}", context.Saga.CorrelationId, command, reason);
        return new PayoutCommandRejected(context.Saga.CorrelationId, context.Saga.ExternalId, command, code, reason, Now);
    }

    private PayoutRejected InvalidRequest(RequestPayout request) =>
        new(request.PayoutId, request.ExternalId ?? "", "validation_failed", "The payout request is invalid.",
            PayoutRequestValidator.Validate(request), Now);

    private PayoutRejected ExternalIdConflict(PayoutState saga, RequestPayout request) =>
        new(request.PayoutId, request.ExternalId, "external_id_conflict",
            $"External id '{request.ExternalId}' already belongs to payout {saga.CorrelationId}, requested with different content.", [], Now);

    private static string Describe(IReadOnlyList<FieldError> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}"));

    private static string FirstExceptionMessage<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault()?.Message ?? "no exception recorded";
}
