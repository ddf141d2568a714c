using MassTransit;

namespace Payouts.Bus.Contracts;

/// <summary>Everything known about one payout, as the saga holds it.</summary>
[MessageUrn("payouts:payout-snapshot")]
public sealed record PayoutSnapshot(
    Guid PayoutId,
    string ExternalId,
    PayoutProvider Provider,
    string Status,
    Money Amount,
    string Destination,
    string? ProviderReference,
    string? TxHash,
    decimal? Fee,
    PayoutConfirmation? Confirmation,
    string? FailureCode,
    string? FailureMessage,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    IReadOnlyList<PayoutHistoryEntry> History,
    string? Client = null);

/// <summary>What the caller must echo in <see cref="ConfirmPayout"/>.</summary>
public sealed record PayoutConfirmation(string DepositAddress, decimal Amount, DateTime ExpiresAt);

/// <summary>One step of a payout's life: when, into which state, on what, why, and on which client's behalf.</summary>
public sealed record PayoutHistoryEntry(DateTime At, string State, string Event, string Reason, string? Client = null);

[MessageUrn("payouts:payout-not-found")]
public sealed record PayoutNotFound(Guid PayoutId);

/// <summary>Net amount and fees as the provider quotes them. Quotes are informational, not a locked rate.</summary>
[MessageUrn("payouts:payout-quote")]
public sealed record PayoutQuote(
    PayoutProvider Provider,
    Money Amount,
    decimal Fee,
    string FeeCurrency,
    decimal NetAmount,
    string NetCurrency,
    DateTime QuotedAt);

[MessageUrn("payouts:payout-quote-unavailable")]
public sealed record PayoutQuoteUnavailable(PayoutProvider Provider, string Reason);
