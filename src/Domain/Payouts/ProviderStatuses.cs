using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Domain;

public static class ProviderStatuses
{
    /// <summary>A status after which the provider does nothing more with the payout: it ends ours.</summary>
    public static bool IsFinal(this ProviderPayoutStatus status) =>
        status is ProviderPayoutStatus.Completed or ProviderPayoutStatus.Failed or ProviderPayoutStatus.Canceled or ProviderPayoutStatus.Expired;
}
