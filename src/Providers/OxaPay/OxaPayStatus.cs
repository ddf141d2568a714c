using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers.OxaPay;

/// <summary>OxaPay payout statuses (providers.md) in our lifecycle's terms.</summary>
internal static class OxaPayStatus
{
    public static ProviderPayoutStatus Map(string status) => status switch
    {
        "confirmed" => ProviderPayoutStatus.Completed,
        "canceled" => ProviderPayoutStatus.Canceled,
        "rejected" => ProviderPayoutStatus.Failed,
        "pending" => ProviderPayoutStatus.Pending,
        _ => ProviderPayoutStatus.Processing, // processing, confirming
    };

    public static ProviderPayoutUpdate ToUpdate(OxaPayPayout payout) =>
        new(payout.TrackId, Map(payout.Status), payout.Status, TxHash: payout.TxHash, Fee: payout.Fee);
}
