using MassTransit;

namespace Payouts.Bus.Contracts;

// Lifecycle events, published once per transition. Subscribers key on PayoutId or ExternalId.

/// <param name="Route">For a payout that named no provider: the provider chosen and why (<c>Routing</c>); null otherwise.</param>
[MessageUrn("payouts:payout-accepted")]
public sealed record PayoutAccepted(
    Guid PayoutId, string ExternalId, PayoutProvider Provider, Money Amount, string Destination, DateTime At, string? Route = null);

/// <summary>
/// The request was refused before anything reached a provider: it failed validation, or its
/// <see cref="ExternalId"/> belongs to another payout with different content (<c>Code</c> = <c>external_id_conflict</c>;
/// then <see cref="PayoutId"/> is the one the refused request carried, and the existing payout is untouched).
/// </summary>
[MessageUrn("payouts:payout-rejected")]
public sealed record PayoutRejected(
    Guid PayoutId, string ExternalId, string Code, string Reason, IReadOnlyList<FieldError> Errors, DateTime At);

/// <summary>
/// The answer to a published <see cref="RequestPayout"/> that repeats one already accepted (same
/// <see cref="ExternalId"/> and content): nothing new was made. <see cref="PayoutId"/> is the payout
/// that request made, <see cref="RequestedPayoutId"/> the id the repeat carried, <see cref="Status"/> where it stands.
/// A repeat of a rejected request is answered with <see cref="PayoutRejected"/> again.
/// </summary>
[MessageUrn("payouts:payout-already-requested")]
public sealed record PayoutAlreadyRequested(Guid PayoutId, string ExternalId, Guid RequestedPayoutId, string Status, DateTime At);

/// <summary>One invalid field of a request and what is wrong with it.</summary>
public sealed record FieldError(string Field, string Message);

/// <param name="Route">For a routed payout: why this provider (after a failover, from which provider and why); null otherwise.</param>
[MessageUrn("payouts:payout-submitted")]
public sealed record PayoutSubmitted(
    Guid PayoutId, string ExternalId, PayoutProvider Provider, string ProviderReference, DateTime At, string? Route = null);

/// <summary>The provider waits for <see cref="ConfirmPayout"/> with exactly this address and amount.</summary>
[MessageUrn("payouts:payout-awaiting-confirmation")]
public sealed record PayoutAwaitingConfirmation(
    Guid PayoutId, string ExternalId, PayoutProvider Provider, string DepositAddress, Money Amount,
    DateTime ExpiresAt, DateTime At);

[MessageUrn("payouts:payout-completed")]
public sealed record PayoutCompleted(
    Guid PayoutId, string ExternalId, PayoutProvider Provider, string ProviderReference, Money Amount,
    string? TxHash, decimal? Fee, DateTime At);

[MessageUrn("payouts:payout-failed")]
public sealed record PayoutFailed(
    Guid PayoutId, string ExternalId, PayoutProvider Provider, string Code, string? ProviderMessage, DateTime At);

[MessageUrn("payouts:payout-canceled")]
public sealed record PayoutCanceled(Guid PayoutId, string ExternalId, string Reason, DateTime At);

[MessageUrn("payouts:payout-expired")]
public sealed record PayoutExpired(Guid PayoutId, string ExternalId, string Reason, DateTime At);

/// <summary>
/// A <see cref="ConfirmPayout"/> or <see cref="CancelPayout"/> that was refused, and why. <c>Code</c> is
/// <c>invalid_state</c> (not awaiting confirmation), <c>confirmation_mismatch</c> (address or amount differ;
/// nothing was sent to the provider) or <c>provider_declined</c> (the provider refused the action).
/// </summary>
[MessageUrn("payouts:payout-command-rejected")]
public sealed record PayoutCommandRejected(Guid PayoutId, string ExternalId, string Command, string Code, string Reason, DateTime At);
