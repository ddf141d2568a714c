using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers.Calypso;

/// <summary>Calypso payout states (seed 003) in our lifecycle's terms.</summary>
internal static class CalypsoStatus
{
    public static ProviderPayoutStatus Map(string state) => state switch
    {
        "CREATION_IN_PROGRESS" or "CREATED" => ProviderPayoutStatus.Pending,
        "COMPLETED" => ProviderPayoutStatus.Completed,
        "FAILED" => ProviderPayoutStatus.Failed,
        "CANCELED" => ProviderPayoutStatus.Canceled,
        _ => ProviderPayoutStatus.Processing, // PENDING_CONFIRMATION, CONFIRMED, IN_PROGRESS, PARTIAL
    };

    public static ProviderPayoutUpdate ToUpdate(CalypsoPayout payout) =>
        new(payout.Id, Map(payout.State), payout.State, TxHash: payout.TransactionHash, Fee: payout.Fee);
}
