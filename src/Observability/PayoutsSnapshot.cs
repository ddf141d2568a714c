namespace Payouts.Bus.Observability;

/// <summary>
/// What the database says right now, read periodically: the basis of the gauges and of the
/// dashboard page. Counts are by (state, provider).
/// </summary>
public sealed record PayoutsSnapshot(
    DateTime TakenAt,
    IReadOnlyList<StateCount> Payouts,
    IReadOnlyList<StateCount> Stuck,
    int OutboxBacklog,
    TimeSpan OutboxOldestAge,
    int ScheduledPending,
    int OutboxSetAside);

public sealed record StateCount(string State, string Provider, int Count);
