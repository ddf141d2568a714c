using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// TheDex pay currencies (<c>SYMBOL_NETWORK</c>) and their maximum decimal scale: the precision
/// table of seed 002. TheDex refuses a larger scale with 422, so we refuse it before submitting.
/// </summary>
public static class TheDexProfile
{
    public static readonly IReadOnlyList<ProviderAsset> Assets =
    [
        new("BTC", "Bitcoin", 8, "BTC_BITCOIN"),
        new("ETH", "Ethereum", 18, "ETH_ETHEREUM"),
        new("USDT", "Ethereum", 6, "USDT_ETHEREUM"),
        new("USDC", "Ethereum", 6, "USDC_ETHEREUM"),
        new("DAI", "Ethereum", 18, "DAI_ETHEREUM"),
        new("LTC", "Litecoin", 8, "LTC_LITECOIN"),
        new("TRX", "Tron", 6, "TRX_TRON"),
        new("USDT", "Tron", 6, "USDT_TRON"),
        new("XRP", "Ripple", 6, "XRP_RIPPLE"),
        new("TON", "Ton", 9, "TON_TON"),
        new("USDT", "Ton", 6, "USDT_TON"),
        new("DOGE", "Dogecoin", 8, "DOGE_DOGECOIN"),
        new("POL", "Polygon", 18, "POL_POLYGON"),
        new("USDT", "Polygon", 6, "USDT_POLYGON"),
        new("USDC", "Polygon", 6, "USDC_POLYGON"),
        new("ARB", "Arbitrum", 18, "ARB_ARBITRUM"),
        new("ETH", "Arbitrum", 18, "ETH_ARBITRUM"),
        new("USDT", "Arbitrum", 6, "USDT_ARBITRUM"),
        new("USDC", "Arbitrum", 6, "USDC_ARBITRUM"),
        new("OP", "Optimism", 18, "OP_OPTIMISM"),
        new("ETH", "Optimism", 18, "ETH_OPTIMISM"),
        new("USDT", "Optimism", 6, "USDT_OPTIMISM"),
        new("USDC", "Optimism", 6, "USDC_OPTIMISM"),
        new("BNB", "Bsc", 18, "BNB_BSC"),
        new("USDT", "Bsc", 18, "USDT_BSC"),
        new("USDC", "Bsc", 18, "USDC_BSC"),
        new("SOL", "Solana", 9, "SOL_SOLANA"),
        new("USDT", "Solana", 6, "USDT_SOLANA"),
        new("USDC", "Solana", 6, "USDC_SOLANA"),
        new("ETH", "Base", 18, "ETH_BASE"),
        new("USDC", "Base", 6, "USDC_BASE"),
    ];

    // TheDex has no idempotency key: a create with an unknown outcome is looked up by description.
    public static readonly ProviderProfile Profile = new(
        PayoutProvider.TheDex, Assets, HasIdempotencyKey: false, SendsCompletionWebhooks: true, NeedsConfirmation: false);
}
