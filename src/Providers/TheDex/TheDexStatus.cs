using System.Globalization;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers.TheDex;

/// <summary>TheDex status ids (<c>info/statuses</c>) in our lifecycle's terms.</summary>
internal static class TheDexStatus
{
    public static ProviderPayoutStatus Map(int status) => status switch
    {
        0 => ProviderPayoutStatus.Pending,       // Waiting
        1 => ProviderPayoutStatus.Completed,     // Successful (final)
        2 => ProviderPayoutStatus.Failed,        // Rejected (final)
        6 => ProviderPayoutStatus.Expired,       // Unpaid / expired (final)
        7 => ProviderPayoutStatus.Canceled,      // Cancelled
        _ => ProviderPayoutStatus.Processing,    // 3, 4, 5, 8
    };

    public static ProviderPayoutUpdate ToUpdate(TheDexPayout payout) => new(
        payout.Id,
        Map(payout.Status),
        $"{payout.Status} {payout.StatusName}".Trim(),
        TxHash: string.IsNullOrEmpty(payout.TransactionId) ? null : payout.TransactionId,
        Fee: decimal.TryParse(payout.BlockchainFee, NumberStyles.Number, CultureInfo.InvariantCulture, out var fee) ? fee : null);
}
