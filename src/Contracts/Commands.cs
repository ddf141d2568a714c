using MassTransit;

namespace Payouts.Bus.Contracts;

/// <summary>
/// Pay <see cref="Amount"/> to <see cref="Destination"/> through <see cref="Provider"/>.
/// <see cref="ExternalId"/> is the caller's idempotency key: the same key with the same content
/// always means the same payout; the same key with other content is rejected. <see cref="Client"/>
/// is the API client the payout belongs to (the gateway sets it from the caller's key); each client
/// has its own external ids. Left out, the payout belongs to no client: operators see it.
/// </summary>
[MessageUrn("payouts:request-payout")]
public sealed record RequestPayout(
    Guid PayoutId,
    string ExternalId,
    PayoutProvider Provider,
    Money Amount,
    string Destination,
    string? Memo = null,
    DfnsPayoutDetails? Dfns = null,
    string? Client = null);

/// <summary>
/// What a Dfns payout needs beyond amount and destination: Dfns pays stablecoins out to a bank
/// account through Borderless, so the destination is the Borderless payment instructions id.
/// </summary>
public sealed record DfnsPayoutDetails(
    string WalletId,
    string FiatCurrency,
    string Country,
    string BorderlessAccountId,
    string PaymentPurpose);

/// <summary>
/// Approve a payout that is awaiting confirmation by echoing what will be paid: the provider's
/// deposit address and the amount. A mismatch is refused and nothing reaches the provider.
/// </summary>
[MessageUrn("payouts:confirm-payout")]
/// <param name="By">The client that approves, named in the payout's history.</param>
public sealed record ConfirmPayout(Guid PayoutId, string DepositAddress, decimal Amount, string? By = null);

/// <summary>Cancel a payout; only possible while it awaits confirmation (nothing has moved yet).</summary>
[MessageUrn("payouts:cancel-payout")]
public sealed record CancelPayout(Guid PayoutId, string? Reason = null, string? By = null);

/// <summary>Request: the current state of one payout. Answered with <see cref="PayoutSnapshot"/> or <see cref="PayoutNotFound"/>.</summary>
[MessageUrn("payouts:get-payout")]
public sealed record GetPayout(Guid PayoutId);

/// <summary>Request: what a payout would cost. Answered with <see cref="PayoutQuote"/> or <see cref="PayoutQuoteUnavailable"/>.</summary>
[MessageUrn("payouts:request-payout-quote")]
public sealed record RequestPayoutQuote(PayoutProvider Provider, Money Amount, DfnsPayoutDetails? Dfns = null);
