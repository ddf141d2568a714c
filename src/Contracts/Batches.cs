using MassTransit;

namespace Payouts.Bus.Contracts;

/// <summary>
/// Request up to 1,000 payouts at once. <see cref="ExternalId"/> is the batch's idempotency key
/// (within its client): the same batch again changes nothing and gets the same answer; the same key
/// with other items is refused. Each item keeps its own external id and idempotency, as if requested
/// alone. Answered (or, when not sent as a request, published) with <see cref="PayoutBatchAccepted"/>
/// or <see cref="PayoutBatchRejected"/>.
/// </summary>
[MessageUrn("payouts:request-payout-batch")]
public sealed record RequestPayoutBatch(Guid BatchId, string ExternalId, IReadOnlyList<RequestPayout> Payouts, string? Client = null);

/// <summary>The batch was taken: one line per item, in the batch's order.</summary>
[MessageUrn("payouts:payout-batch-accepted")]
public sealed record PayoutBatchAccepted(Guid BatchId, string ExternalId, IReadOnlyList<PayoutBatchLine> Lines, DateTime At);

/// <summary>
/// One item of a batch: <c>accepted</c> with its payout id and status; <c>refused</c> with its field
/// errors (nothing was made of it); or <c>unknown</c> when the processor did not answer in time
/// (repeat the batch: it is idempotent).
/// </summary>
public sealed record PayoutBatchLine(int Index, string ExternalId, string Outcome, Guid? PayoutId, string? Status, IReadOnlyList<FieldError> Errors);

/// <summary>The batch as a whole was refused (too many items, a repeated external id, its key reused with other items); nothing was requested.</summary>
[MessageUrn("payouts:payout-batch-rejected")]
public sealed record PayoutBatchRejected(Guid BatchId, string ExternalId, string Code, string Reason, IReadOnlyList<FieldError> Errors, DateTime At);

/// <summary>Every payout the batch made has ended. Published once per batch (a repeat carries the same message id).</summary>
[MessageUrn("payouts:payout-batch-completed")]
public sealed record PayoutBatchCompleted(Guid BatchId, string ExternalId, int Payouts, IReadOnlyList<PayoutBatchStateCount> ByState, DateTime At);

public sealed record PayoutBatchStateCount(string State, int Count);
