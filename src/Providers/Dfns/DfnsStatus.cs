using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Providers.Dfns;

/// <summary>Dfns <c>status</c> and <c>data.executionStatus</c> (seed 001) in our lifecycle's terms.</summary>
internal static class DfnsStatus
{
    public static ProviderPayoutStatus Map(string status, string? executionStatus) => status switch
    {
        "Completed" => ProviderPayoutStatus.Completed,
        "Failed" or "Rejected" => ProviderPayoutStatus.Failed,
        "Expired" => ProviderPayoutStatus.Expired,
        "Canceled" => ProviderPayoutStatus.Canceled,
        _ => executionStatus switch
        {
            "Initializing" or "AwaitingPayoutInstructions" => ProviderPayoutStatus.Pending,
            "AwaitingPayoutConfirmation" => ProviderPayoutStatus.AwaitingConfirmation,
            _ => ProviderPayoutStatus.Processing,
        },
    };

    public static ProviderPayoutUpdate ToUpdate(DfnsPayout payout)
    {
        var asset = DfnsProfile.Assets.FirstOrDefault(a => string.Equals(a.Contract, payout.Asset.Contract ?? payout.Asset.Mint, StringComparison.OrdinalIgnoreCase));
        decimal? amount = asset is null ? null : FromMinimumDenomination(payout.Asset.Amount, asset.Decimals);
        var execution = payout.Data?.ExecutionStatus;
        return new ProviderPayoutUpdate(
            payout.Id,
            Map(payout.Status, execution),
            execution is null ? payout.Status : $"{payout.Status}/{execution}",
            DepositAddress: payout.Data?.DepositAddress,
            DepositAmount: amount,
            TxHash: payout.Data?.TransactionHash,
            Message: payout.Data?.StatusReason);
    }

    /// <summary>Dfns amounts are integer strings in the asset's minimum denomination; anything else is not an amount.</summary>
    private static decimal? FromMinimumDenomination(string amount, int decimals)
    {
        if (!decimal.TryParse(amount, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            return null;
        for (var i = 0; i < decimals; i++)
            value /= 10;
        return value;
    }
}
