using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;
using Payouts.Bus.Observability;

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
/// This file declares states, events, correlation and timers; each phase of the lifecycle is in
/// its own file: Trust, Request, Submission, Confirmation, ProviderStatus and Terminal.
/// </summary>
public sealed partial class PayoutStateMachine : MassTransitStateMachine<PayoutState>
{
    private readonly PayoutLifecycleOptions _timers;
    private readonly PayoutApprovalOptions _approval;
    private readonly ConfiguredProviders _providers;
    private readonly PayoutRouter _router;
    private readonly TimeProvider _clock;
    private readonly ILogger<PayoutStateMachine> _logger;

    public PayoutStateMachine(IOptions<PayoutLifecycleOptions> options, IOptions<PayoutApprovalOptions> approval, ConfiguredProviders providers,
        PayoutRouter router, TimeProvider clock, PayoutsMetrics metrics, ILogger<PayoutStateMachine> logger)
    {
        _router = router;
        _timers = options.Value;
        _approval = approval.Value;
        _providers = providers;
        _clock = clock;
        _logger = logger;

        InstanceState(x => x.CurrentState);
        this.ConnectStateObserver(new PayoutTransitionTelemetry(metrics, clock, [Completed, Failed, Canceled, Expired, Rejected]));

        // Stale timers and late duplicates are expected in a distributed lifecycle: record them in the
        // log and move on, rather than faulting the message.
        OnUnhandledEvent(context =>
        {
            _logger.LogWarning("Payout {PayoutId}: {Event} ignored in state {State}", context.Saga.CorrelationId, context.Event.Name, context.Saga.CurrentState);
            return Task.CompletedTask;
        });

        CorrelateEvents();
        ScheduleTimers();
        RefuseAnswersNobodyAskedFor();
        DuringRequest();
        DuringSubmission();
        DuringProviderStatus();
        DuringConfirmation();
        DuringTerminal();
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

    private void CorrelateEvents()
    {
        // A payout is found by its external id, so that any number of requests with one key make one payout.
        // The property form, not a predicate: MassTransit compiles a predicate anew for every message and
        // EF Core then compiles a new query for its constant (measured: one JIT'd method per request).
        Event(() => PayoutRequested, e => e
            .CorrelateBy(saga => saga.IdempotencyKey, context => PayoutIdempotency.Key(context.Message.Client, context.Message.ExternalId))
            .SelectId(context => context.Message.PayoutId == Guid.Empty ? NewId.NextGuid() : context.Message.PayoutId));
        // Commands from callers name a payout that may not exist: they are answered, not faulted.
        Event(() => ConfirmRequested, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.ExecuteAsync(context => context.RespondAsync(new PayoutNotFound(context.Message.PayoutId)))); });
        Event(() => CancelRequested, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.ExecuteAsync(context => context.RespondAsync(new PayoutNotFound(context.Message.PayoutId)))); });
        Event(() => StatusRequested, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.ExecuteAsync(context => context.RespondAsync(new PayoutNotFound(context.Message.PayoutId)))); });
        // Provider news about a payout we do not have is a fault: it lands in the error queue, visible.
        Event(() => ProviderAccepted, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ProviderDeclined, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ProviderUpdated, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => ActionDeclined, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Fault()); });
        Event(() => Resumed, e => { e.CorrelateById(context => context.Message.PayoutId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => SubmitFaulted, e => { e.CorrelateById(context => context.Message.Message.Payout.PayoutId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => ConfirmFaulted, e => { e.CorrelateById(context => context.Message.Message.Payout.PayoutId); e.OnMissingInstance(m => m.Discard()); });
    }

    private void ScheduleTimers()
    {
        Schedule(() => ConfirmationExpiry, x => x.ConfirmationExpiryTokenId, s =>
        {
            s.Delay = _timers.ConfirmationTimeout;
            s.Received = r => r.CorrelateById(context => context.Message.PayoutId);
        });
        Schedule(() => SubmissionOverdue, x => x.SubmissionExpiryTokenId, s =>
        {
            s.Delay = _timers.SubmissionTimeout;
            s.Received = r => r.CorrelateById(context => context.Message.PayoutId);
        });
        Schedule(() => StatusPoll, x => x.StatusPollTokenId, s =>
        {
            s.Delay = _timers.StatusPollInterval;
            s.Received = r => r.CorrelateById(context => context.Message.PayoutId);
        });
        Schedule(() => SubmitRetry, x => x.SubmitRetryTokenId, s =>
        {
            s.Delay = _timers.SubmitRetryDelay;
            s.Received = r => r.CorrelateById(context => context.Message.PayoutId);
        });
    }

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private void Record<T>(BehaviorContext<PayoutState, T> context, string @event, string reason, string? client = null)
        where T : class
    {
        context.Saga.Record(@event, reason, Now, client);
        _logger.LogInformation("Payout {PayoutId} {State} on {Event}{By}: {Reason}", context.Saga.CorrelationId, context.Saga.CurrentState, @event,
            client is null ? "" : $" by {client}", reason);
    }

    private static bool IsRequest<T>(BehaviorContext<PayoutState, T> context)
        where T : class => context.ResponseAddress is not null;

    private PayoutCommandRejected CommandRejection<T>(BehaviorContext<PayoutState, T> context, string command, string code, string reason)
        where T : class
    {
        _logger.LogWarning("Payout {PayoutId}: {Command} refused: {Reason}", context.Saga.CorrelationId, command, reason);
        return new PayoutCommandRejected(context.Saga.CorrelationId, context.Saga.ExternalId, command, code, reason, Now);
    }

    private static string FirstExceptionMessage<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault()?.Message ?? "no exception recorded";
}
