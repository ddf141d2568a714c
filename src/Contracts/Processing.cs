using MassTransit;

namespace Payouts.Bus.Contracts.Processing;

// Messages between the payout saga and the provider consumers. They are part of the processor,
// not of its public API: upstream systems neither send nor rely on them.

/// <summary>The normalized status of a payout at its provider.</summary>
public enum ProviderPayoutStatus
{
    Pending,
    AwaitingConfirmation,
    Processing,
    Completed,
    Failed,
    Canceled,
    Expired,
}

/// <summary>Everything a provider client needs to act on one payout.</summary>
/// <param name="CheckId">
/// The payout's own id for the processor's requests about it: every answer (accepted, declined,
/// updated) echoes it, and the saga believes no answer without it. It never leaves the processor's
/// messages, so a message forged on the broker cannot carry it.
/// </param>
/// <param name="Routed">The processor chose the provider (the request named none): a provider that cannot take it may be replaced.</param>
public sealed record ProviderPayout(
    Guid PayoutId,
    PayoutProvider Provider,
    Money Amount,
    string Destination,
    string? Memo,
    DfnsPayoutDetails? Dfns,
    string? ProviderReference,
    DateTime RequestedAt,
    Guid? CheckId = null,
    bool Routed = false);

[MessageUrn("payouts:processing:submit-provider-payout")]
public sealed record SubmitProviderPayout(ProviderPayout Payout);

[MessageUrn("payouts:processing:confirm-provider-payout")]
public sealed record ConfirmProviderPayout(ProviderPayout Payout, string DepositAddress);

[MessageUrn("payouts:processing:cancel-provider-payout")]
public sealed record CancelProviderPayout(ProviderPayout Payout, string Reason);

[MessageUrn("payouts:processing:check-provider-payout")]
public sealed record CheckProviderPayout(ProviderPayout Payout);

/// <summary>The provider took the payout; <see cref="Update"/> is its state right after.</summary>
[MessageUrn("payouts:processing:provider-payout-accepted")]
public sealed record ProviderPayoutAccepted(Guid PayoutId, ProviderPayoutUpdate Update, Guid? CheckId = null);

/// <summary>The provider refused to create the payout; nothing will be paid there.</summary>
/// <param name="NothingCreated">
/// The refusal came on the payout's first attempt, so no earlier attempt can have created it anywhere:
/// a routed payout may go to another provider (<c>ProviderFailover</c> in the domain names the codes).
/// </param>
[MessageUrn("payouts:processing:provider-payout-declined")]
public sealed record ProviderPayoutDeclined(Guid PayoutId, string Code, string Message, Guid? CheckId = null, bool NothingCreated = false);

/// <summary>What the provider says of a payout now, learnt from a webhook, a callback or a status poll.</summary>
/// <param name="CheckId">The payout's <see cref="ProviderPayout.CheckId"/>, on what the processor's own consumers learnt from the provider.</param>
[MessageUrn("payouts:processing:provider-payout-updated")]
public sealed record ProviderPayoutUpdated(Guid PayoutId, ProviderPayoutUpdate Update, string Source, Guid? CheckId = null);

/// <summary>The provider refused a confirm or cancel action.</summary>
[MessageUrn("payouts:processing:provider-action-declined")]
public sealed record ProviderActionDeclined(Guid PayoutId, string Action, string Code, string Message, Guid? CheckId = null);

/// <param name="Reference">The provider's id of the payout, when the message carries it.</param>
public sealed record ProviderPayoutUpdate(
    string? Reference,
    ProviderPayoutStatus Status,
    string ProviderStatus,
    string? DepositAddress = null,
    decimal? DepositAmount = null,
    string? TxHash = null,
    decimal? Fee = null,
    string? Message = null);
