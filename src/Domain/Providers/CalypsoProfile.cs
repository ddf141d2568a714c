using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// Currencies we pay out through Calypso. Assumption: seed 003 shows <c>currency</c> only as
/// "text"; these codes (<c>SYMBOL</c> for native coins, <c>SYMBOL_CHAIN</c> for tokens) and
/// scales are ours, and the sandbox accepts exactly these.
/// </summary>
public static class CalypsoProfile
{
    public static readonly IReadOnlyList<ProviderAsset> Assets =
    [
        new("USDT", "Tron", 6, "USDT_TRX"),
        new("USDT", "Ethereum", 6, "USDT_ETH"),
        new("USDC", "Ethereum", 6, "USDC_ETH"),
        new("TRX", "Tron", 6, "TRX"),
        new("ETH", "Ethereum", 18, "ETH"),
        new("BTC", "Bitcoin", 8, "BTC"),
    ];

    // Calypso takes our payout id as idempotencyKey and sends PAYOUT_CHANGE_STATUS webhooks.
    public static readonly ProviderProfile Profile = new(
        PayoutProvider.Calypso, Assets, HasIdempotencyKey: true, SendsCompletionWebhooks: true, NeedsConfirmation: false);
}
