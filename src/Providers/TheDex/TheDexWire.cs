using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payouts.Bus.Providers.TheDex;

// TheDex bodies (seed 002 and providers.md). Every request is a POST whose body names its own
// path in "request" and carries a nonce.

internal static class TheDexJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };
}

internal sealed record TheDexCreatePayout(
    string Request,
    long Nonce,
    decimal AmountInPayCurrency,
    string PayCurrency,
    string Address,
    string? Memo,
    string Description,
    string CallbackUrl);

internal sealed record TheDexPayoutOne(string Request, long Nonce, string PayoutId);

internal sealed record TheDexPayoutHistory(string Request, long Nonce, long From, long To);

internal sealed record TheDexCommissionRequest(string Request, long Nonce);

internal sealed record TheDexPayout(
    string Id,
    int Status,
    string? StatusName,
    string? PayCurrency,
    string? Address,
    string? TransferAmount,
    string? WithdrawalAmount,
    string? BlockchainFee,
    string? TransactionId,
    string? Description);

internal sealed record TheDexCommission(string? UserPayoutCommission, IReadOnlyList<TheDexBlockchainFee>? PayoutBlockchainFee);

internal sealed record TheDexBlockchainFee(string Monetary, string BlockchainFee);

/// <summary>Both TheDex error shapes: <c>{error, status, message}</c> and <c>{errors: {field: text}, status}</c>.</summary>
internal sealed record TheDexError(string? Error, string? Message, Dictionary<string, string>? Errors, JsonElement Status);
