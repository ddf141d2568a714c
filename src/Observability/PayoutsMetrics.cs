using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Payouts.Bus.Observability;

/// <summary>
/// The processor's meter (<see cref="PayoutsTelemetry.Name"/>) and all its instruments, one instance
/// per host. Counters and histograms are recorded where things happen; gauges read the latest
/// <see cref="PayoutsSnapshot"/>. Tags are low-cardinality (state, provider, operation, outcome):
/// never a payout id.
/// </summary>
public sealed class PayoutsMetrics : IDisposable
{
    private readonly Counter<long> _transitions;
    private readonly Histogram<double> _timeToTerminal;
    private readonly Histogram<double> _providerCallDuration;
    private readonly Counter<long> _providerCallErrors;
    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _reconciled;
    private readonly ConcurrentDictionary<string, ProviderCallStats> _providerCalls = new();
    private PayoutsSnapshot? _snapshot;
    private IReadOnlyDictionary<string, long> _deadLetters = new Dictionary<string, long>();

    public PayoutsMetrics()
    {
        Meter = new Meter(PayoutsTelemetry.Name);
        _transitions = Meter.CreateCounter<long>("payouts.transitions", "{transition}", "Payout state transitions");
        _timeToTerminal = Meter.CreateHistogram<double>("payouts.duration", "s", "Time from request to terminal state",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400] });
        _providerCallDuration = Meter.CreateHistogram<double>("payouts.provider.call.duration", "s", "Duration of provider API calls",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _providerCallErrors = Meter.CreateCounter<long>("payouts.provider.call.errors", "{call}", "Provider API calls that failed: 5xx, 401/403, 429, time-outs, broken connections");
        _webhooks = Meter.CreateCounter<long>("payouts.webhooks", "{webhook}", "Provider webhooks received, by outcome (accepted, ignored, rejected)");
        _deadLettered = Meter.CreateCounter<long>("payouts.messages.dead_lettered", "{message}", "Messages moved to an _error queue");
        _reconciled = Meter.CreateCounter<long>("payouts.reconciliations", "{payout}", "In-flight payouts with no change for too long, checked again at their provider");

        Meter.CreateObservableGauge("payouts.current", () => Gauge(s => s.Payouts), "{payout}", "Payouts in flight (not yet ended) by state and provider");
        Meter.CreateObservableGauge("payouts.stuck", () => Gauge(s => s.Stuck), "{payout}", "Payouts in a non-terminal state with no change for longer than the stuck threshold");
        Meter.CreateObservableGauge("payouts.outbox.backlog", () => Single(s => s.OutboxBacklog), "{message}", "Messages stored for sending and due now");
        Meter.CreateObservableGauge("payouts.outbox.oldest_age", () => Single(s => s.OutboxOldestAge.TotalSeconds), "s", "Age of the oldest message due for sending");
        Meter.CreateObservableGauge("payouts.outbox.set_aside", () => Single(s => s.OutboxSetAside), "{message}",
            "Stored messages the broker kept refusing, set aside for an operator (outbox_set_aside)");
        Meter.CreateObservableGauge("payouts.dead_letters", () => DeadLetters.Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>(PayoutsTelemetry.Tags.Queue, q.Key))),
            "{message}", "Messages held in each _error queue (RabbitMQ)");
        Meter.CreateObservableGauge("payouts.scheduled.pending", () => Single(s => s.ScheduledPending), "{message}", "Timers (polls, expiries) scheduled for later");
    }

    public Meter Meter { get; }

    public PayoutsSnapshot? Snapshot => Volatile.Read(ref _snapshot);

    public void Observe(PayoutsSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    /// <summary>Messages in each <c>_error</c> queue when last counted.</summary>
    public IReadOnlyDictionary<string, long> DeadLetters => Volatile.Read(ref _deadLetters);

    public void ObserveDeadLetters(IReadOnlyDictionary<string, long> byQueue) => Volatile.Write(ref _deadLetters, byQueue);

    public void Transition(string provider, string from, string to) =>
        _transitions.Add(1, new(PayoutsTelemetry.Tags.Provider, provider), new(PayoutsTelemetry.Tags.FromState, from), new(PayoutsTelemetry.Tags.State, to));

    public void Terminal(string provider, string state, TimeSpan sinceRequest) =>
        _timeToTerminal.Record(sinceRequest.TotalSeconds, new(PayoutsTelemetry.Tags.Provider, provider), new(PayoutsTelemetry.Tags.State, state));

    /// <param name="outcome">"ok", an HTTP status code or an exception type.</param>
    /// <param name="failing">The provider (or our access to it) is failing: 5xx, 401/403, 429, time-outs, broken connections.</param>
    public void ProviderCall(string provider, string operation, TimeSpan duration, string outcome, bool failing)
    {
        var tags = new TagList
        {
            { PayoutsTelemetry.Tags.Provider, provider }, { PayoutsTelemetry.Tags.Operation, operation }, { PayoutsTelemetry.Tags.Outcome, outcome },
        };
        _providerCallDuration.Record(duration.TotalSeconds, tags);
        if (failing)
            _providerCallErrors.Add(1, tags);
        _providerCalls.AddOrUpdate(provider,
            _ => ProviderCallStats.Empty.With(operation, outcome, failing, DateTime.UtcNow),
            (_, stats) => stats.With(operation, outcome, failing, DateTime.UtcNow));
    }

    /// <summary>Provider calls since this host started, for the dashboard page's provider health.</summary>
    public IReadOnlyDictionary<string, ProviderCallStats> ProviderCalls => _providerCalls;

    public void Webhook(string provider, string outcome) =>
        _webhooks.Add(1, new(PayoutsTelemetry.Tags.Provider, provider), new(PayoutsTelemetry.Tags.Outcome, outcome));

    public void Reconciled(string provider, string state) =>
        _reconciled.Add(1, new(PayoutsTelemetry.Tags.Provider, provider), new(PayoutsTelemetry.Tags.State, state));

    public void DeadLettered(string queue, string errorType) =>
        _deadLettered.Add(1, new(PayoutsTelemetry.Tags.Queue, queue), new(PayoutsTelemetry.Tags.ErrorType, errorType));

    private IEnumerable<Measurement<int>> Gauge(Func<PayoutsSnapshot, IReadOnlyList<StateCount>> counts) =>
        Snapshot is { } snapshot
            ? counts(snapshot).Select(c => new Measurement<int>(c.Count, new(PayoutsTelemetry.Tags.State, c.State), new(PayoutsTelemetry.Tags.Provider, c.Provider)))
            : [];

    private IEnumerable<Measurement<T>> Single<T>(Func<PayoutsSnapshot, T> value) where T : struct =>
        Snapshot is { } snapshot ? [new Measurement<T>(value(snapshot))] : [];

    public void Dispose() => Meter.Dispose();
}

/// <summary>Calls to one provider since start, and the last one that went wrong.</summary>
public sealed record ProviderCallStats(long Calls, long Errors, string? LastError, DateTime? LastErrorAt, DateTime? LastCallAt)
{
    public static readonly ProviderCallStats Empty = new(0, 0, null, null, null);

    public ProviderCallStats With(string operation, string outcome, bool failing, DateTime at) => !failing
        ? this with { Calls = Calls + 1, LastCallAt = at }
        : this with { Calls = Calls + 1, Errors = Errors + 1, LastError = $"{operation}: {outcome}", LastErrorAt = at, LastCallAt = at };
}
