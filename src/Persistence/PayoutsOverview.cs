using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Domain;
using Payouts.Bus.Observability;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Persistence;

/// <summary>
/// What operators look at, read from the database: payouts in flight by state and provider, stuck
/// payouts, recent failures and the outbox backlog. Feeds the gauges and the <c>/dashboard</c> page.
/// Every query reads through the <c>(current_state, updated_at)</c> index and touches payouts in
/// flight or recently ended only, so that it costs the same with a million payouts behind it.
/// </summary>
public sealed class PayoutsOverview(PayoutsDbContext db)
{
    public async Task<PayoutsSnapshot> SnapshotAsync(DateTime now, TimeSpan stuckAfter, CancellationToken cancellationToken)
    {
        var stuckBefore = now - stuckAfter;
        // Ended payouts are counted as they end (payouts.transitions), not by reading all of history.
        // Every in-flight state of every provider is reported, at zero too: a series that vanishes
        // when nothing waits is one an alert cannot watch.
        var counted = await CountAsync(db.Payouts.Where(p => PayoutStates.InFlight.Contains(p.CurrentState)), cancellationToken);
        var payouts = (from profile in ProviderProfiles.All
                       from state in PayoutStates.InFlight
                       let provider = profile.Provider.ToString()
                       select counted.FirstOrDefault(c => c.Provider == provider && c.State == state) ?? new StateCount(state, provider, 0)).ToList();
        var stuck = await CountAsync(db.Payouts.Where(p => PayoutStates.WaitingForProcessor.Contains(p.CurrentState) && p.UpdatedAt < stuckBefore), cancellationToken);

        // Waiting to be sent: rows of a consume whose delivery has not finished, and timers that are due.
        var outbox = db.Set<OutboxMessage>();
        var backlog = outbox.Where(m => m.InboxMessageId != null || m.EnqueueTime <= now);
        var backlogCount = await backlog.CountAsync(cancellationToken);
        var oldest = backlogCount == 0 ? (DateTime?)null : await backlog.MinAsync(m => (DateTime?)m.SentTime, cancellationToken);
        var scheduled = await outbox.CountAsync(m => m.InboxMessageId == null && m.EnqueueTime > now, cancellationToken);
        var setAside = await db.Set<SetAsideOutboxMessage>().CountAsync(cancellationToken);

        return new PayoutsSnapshot(now, payouts, stuck, backlogCount, oldest is { } o && o < now ? now - o : TimeSpan.Zero, scheduled, setAside);
    }

    /// <summary>The latest payouts that ended badly, newest first.</summary>
    public async Task<IReadOnlyList<PayoutLine>> RecentFailuresAsync(int take, CancellationToken cancellationToken) =>
        await Lines(db.Payouts.Where(p => PayoutStates.Unsuccessful.Contains(p.CurrentState))
            .OrderByDescending(p => p.UpdatedAt), take, cancellationToken);

    /// <summary>Payouts that have not moved for <paramref name="stuckAfter"/>, oldest first.</summary>
    public async Task<IReadOnlyList<PayoutLine>> StuckAsync(DateTime now, TimeSpan stuckAfter, int take, CancellationToken cancellationToken)
    {
        var stuckBefore = now - stuckAfter;
        return await Lines(db.Payouts.Where(p => PayoutStates.WaitingForProcessor.Contains(p.CurrentState) && p.UpdatedAt < stuckBefore)
            .OrderBy(p => p.UpdatedAt), take, cancellationToken);
    }

    /// <summary>Payouts that reached each terminal state since <paramref name="since"/>, by provider.</summary>
    public async Task<IReadOnlyList<StateCount>> EndedSinceAsync(DateTime since, CancellationToken cancellationToken) =>
        await CountAsync(db.Payouts.Where(p => PayoutStates.Terminal.Contains(p.CurrentState) && p.UpdatedAt >= since), cancellationToken);

    private static async Task<IReadOnlyList<StateCount>> CountAsync(IQueryable<PayoutState> payouts, CancellationToken cancellationToken)
    {
        var rows = await payouts.GroupBy(p => new { p.CurrentState, p.Provider })
            .Select(g => new { g.Key.CurrentState, g.Key.Provider, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new StateCount(r.CurrentState, r.Provider.ToString(), r.Count))
            .OrderBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.State, StringComparer.Ordinal).ToList();
    }

    private static async Task<IReadOnlyList<PayoutLine>> Lines(IQueryable<PayoutState> payouts, int take, CancellationToken cancellationToken)
    {
        var rows = await payouts.Take(take)
            .Select(p => new { p.CorrelationId, p.ExternalId, p.Provider, p.CurrentState, p.FailureCode, p.FailureMessage, p.UpdatedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new PayoutLine(r.CorrelationId, r.ExternalId, r.Provider.ToString(), r.CurrentState, r.FailureCode, r.FailureMessage, r.UpdatedAt)).ToList();
    }
}

public sealed record PayoutLine(Guid PayoutId, string ExternalId, string Provider, string State, string? Code, string? Reason, DateTime UpdatedAt);
