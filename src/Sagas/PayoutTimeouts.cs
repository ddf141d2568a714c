using MassTransit;

namespace Payouts.Bus.Sagas;

// Messages the saga schedules to itself. Each carries the payout's id as its correlation id, so
// that the stored timers of a payout that ended can be found and deleted with its last transition.

/// <summary>A timer the saga set for one payout. A base type only: no exchange of its own on the broker.</summary>
[ExcludeFromTopology]
public abstract record PayoutTimer(Guid PayoutId) : CorrelatedBy<Guid>
{
    public Guid CorrelationId => PayoutId;
}

[MessageUrn("payouts:saga:confirmation-expired")]
public sealed record PayoutConfirmationExpired(Guid PayoutId) : PayoutTimer(PayoutId);

[MessageUrn("payouts:saga:submission-overdue")]
public sealed record PayoutSubmissionOverdue(Guid PayoutId) : PayoutTimer(PayoutId);

[MessageUrn("payouts:saga:status-poll-due")]
public sealed record PayoutStatusPollDue(Guid PayoutId) : PayoutTimer(PayoutId);

[MessageUrn("payouts:saga:submit-retry-due")]
public sealed record PayoutSubmitRetryDue(Guid PayoutId) : PayoutTimer(PayoutId);

/// <summary>
/// Re-arms a payout in flight: the provider is asked now and status polling starts again. Sent after
/// a restart on the in-memory transport (whose messages in flight died with the process), and by
/// reconciliation for a payout that has not changed for too long.
/// </summary>
/// <param name="Reconciliation">
/// True when sent by reconciliation: it is logged, not added to the history, so the payout's last
/// change stays what it was and a payout no check can move keeps showing as stuck.
/// </param>
[MessageUrn("payouts:saga:resume-payout")]
public sealed record ResumePayout(Guid PayoutId, bool Reconciliation = false);
