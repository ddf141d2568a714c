using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// What makes two payout requests "the same" for idempotency: everything but the payout id,
/// with amounts compared by value ("10.0" = "10") and names by their canonical spelling.
/// </summary>
public static class PayoutFingerprint
{
    public static string Of(RequestPayout request)
    {
        var canonical = string.Join('\n',
            request.ExternalId,
            request.Provider.ToString(),
            (request.Amount?.Amount / 1.000000000000000000000000000000000m)?.ToString(CultureInfo.InvariantCulture),
            request.Amount?.Currency?.ToUpperInvariant(),
            Networks.Canonical(request.Amount?.Network) ?? request.Amount?.Network,
            request.Destination,
            request.Memo,
            request.Dfns is { } d ? string.Join('|', d.WalletId, d.FiatCurrency, d.Country, d.BorderlessAccountId, d.PaymentPurpose) : "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>A batch is the same batch when its items are the same, in the same order.</summary>
    public static string OfBatch(RequestPayoutBatch batch) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', batch.Payouts.Select(Of)))));
}
