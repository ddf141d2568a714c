namespace Payouts.Bus.Providers.Calypso;

/// <summary>
/// Currencies we pay out through Calypso. Assumption: seed 003 shows <c>currency</c> only as
/// "text"; these codes (<c>SYMBOL</c> for native coins, <c>SYMBOL_CHAIN</c> for tokens) and
/// scales are ours, and the sandbox accepts exactly these.
/// </summary>
public static class CalypsoAssets
{
    public static readonly IReadOnlyList<ProviderAsset> All =
    [
        new("USDT", "Tron", 6, "USDT_TRX"),
        new("USDT", "Ethereum", 6, "USDT_ETH"),
        new("USDC", "Ethereum", 6, "USDC_ETH"),
        new("TRX", "Tron", 6, "TRX"),
        new("ETH", "Ethereum", 18, "ETH"),
        new("BTC", "Bitcoin", 8, "BTC"),
    ];
}
