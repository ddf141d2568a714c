using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payouts.Bus.Providers.Dfns;

// Dfns request and response bodies (seeds 000 and 001), only the fields we use.

internal static class DfnsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

internal sealed record DfnsAsset(string Kind, string Amount, string? Contract = null, string? Mint = null, string? Network = null);

internal sealed record DfnsQuoteRequest(string WalletId, DfnsAsset Asset, string FiatCurrency, string Provider, string Country);

internal sealed record DfnsQuoteResponse(string Provider, DfnsAsset Asset, DateTime Timestamp, IReadOnlyList<DfnsQuote> Quotes);

internal sealed record DfnsQuote(DfnsOffer Offer);

internal sealed record DfnsOffer(string FiatCurrency, decimal Amount, decimal Fees);

internal sealed record DfnsCreatePayoutRequest(
    string WalletId,
    DfnsAsset Asset,
    string FiatCurrency,
    string Provider,
    string Country,
    string BorderlessAccountId,
    string PaymentInstructionsId,
    string PaymentPurpose,
    string ExternalId);

internal sealed record DfnsPayout(
    string Id,
    string WalletId,
    DfnsAsset Asset,
    string Status,
    string? ExternalId,
    DfnsPayoutData? Data);

internal sealed record DfnsPayoutData(
    string? ExecutionStatus,
    string? StatusReason,
    string? DepositAddress,
    string? TransactionHash);

internal sealed record DfnsTransfer(string Kind, string Amount, string To, string? Contract = null, string? Mint = null);

internal sealed record DfnsConfirmAction(string WalletId, DfnsTransfer Transfer, string Action = "Confirm");

internal sealed record DfnsCancelAction(string Action = "Cancel");

/// <summary>A delivery of a Dfns event; a retried delivery has a new <c>id</c> and names the first in <c>retryOf</c>.</summary>
internal sealed record DfnsWebhookEvent(string Id, string Kind, long TimestampSent, JsonElement Data, string? RetryOf = null);

internal sealed record DfnsWebhookData(DfnsPayout? Payout);

internal sealed record DfnsUserActionInit(string UserActionPayload, string UserActionHttpMethod, string UserActionHttpPath, string UserActionServerKind);

internal sealed record DfnsUserActionChallenge(string Challenge, string ChallengeIdentifier);

internal sealed record DfnsUserActionAssertion(string ChallengeIdentifier, DfnsFirstFactor FirstFactor);

internal sealed record DfnsFirstFactor(string Kind, DfnsCredentialAssertion CredentialAssertion);

internal sealed record DfnsCredentialAssertion(string CredId, string ClientData, string Signature);

internal sealed record DfnsUserActionToken(string UserAction);
