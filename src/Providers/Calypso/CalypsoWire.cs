using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payouts.Bus.Providers.Calypso;

// Calypso bodies (seed 003, providers.md). Every request is {account, timestamp, payload}.

internal static class CalypsoJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

internal sealed record CalypsoEnvelope<T>(string Account, long Timestamp, T Payload);

internal sealed record CalypsoEmpty;

internal sealed record CalypsoCreatePayout(
    string DepositAddress, decimal Amount, string Currency, string? Comment, Guid IdempotencyKey, string ExternalId);

internal sealed record CalypsoPayoutLookup(string? Id = null, Guid? IdempotencyKey = null);

internal sealed record CalypsoPayout(
    string Id,
    string State,
    decimal Amount,
    string Currency,
    decimal? Fee,
    string? TransactionHash,
    Guid? IdempotencyKey,
    string? ExternalId);

/// <summary>Assumption (shape undocumented): <c>account</c> answers balances per currency code.</summary>
/// <summary>Assumption: Calypso errors are <c>{code, message}</c> (the seed shows none).</summary>
internal sealed record CalypsoError(string? Code, string? Message);

internal sealed record CalypsoAccount(IReadOnlyList<CalypsoBalance> Balances);

internal sealed record CalypsoBalance(string Currency, decimal Available);

internal sealed record CalypsoFeeRequest(IReadOnlyList<CalypsoFeeItem> Items);

internal sealed record CalypsoFeeItem(decimal BaseAmount, string Currency, string OpType);

internal sealed record CalypsoFeeResponse(IReadOnlyList<CalypsoFeeResult> Items);

internal sealed record CalypsoFeeResult(decimal Amount, string Currency, CalypsoFee? FeeSender, CalypsoFee? FeeReceiver);

internal sealed record CalypsoFee(decimal Amount, decimal Fee);

internal sealed record CalypsoWebhookEvent(
    string Type, string? PayoutStatus, string? Hash, Guid? IdempotencyKey, string? ExternalId, string? Currency, JsonElement? CreatedDate);
