using MassTransit;

namespace Payouts.Bus.Sagas;

// Messages the saga schedules to itself.

[MessageUrn("payouts:saga:confirmation-expired")]
public sealed record PayoutConfirmationExpired(Guid PayoutId);

[MessageUrn("payouts:saga:submission-overdue")]
public sealed record PayoutSubmissionOverdue(Guid PayoutId);

[MessageUrn("payouts:saga:status-poll-due")]
public sealed record PayoutStatusPollDue(Guid PayoutId);

[MessageUrn("payouts:saga:submit-retry-due")]
public sealed record PayoutSubmitRetryDue(Guid PayoutId);

/// <summary>
/// Re-arms a payout in flight after a restart on the in-memory transport, whose messages in flight
/// died with the process: the provider is asked now and status polling starts again.
/// </summary>
[MessageUrn("payouts:saga:resume-payout")]
public sealed record ResumePayout(Guid PayoutId);
