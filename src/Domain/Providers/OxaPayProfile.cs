using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// Currencies we pay out through OxaPay, with OxaPay's network names. Assumption: seed 004 gives
/// no precision table; these scales are the chains' usual display precision, and the sandbox
/// refuses more.
/// </summary>
public static class OxaPayProfile
{
    public static readonly IReadOnlyList<ProviderAsset> Assets =
    [
        new("BTC", "Bitcoin", 8, "Bitcoin Network"),
        new("ETH", "Ethereum", 8, "Ethereum Network"),
        new("USDT", "Tron", 6, "Tron Network"),
        new("USDT", "Ethereum", 6, "Ethereum Network"),
        new("USDT", "Bsc", 6, "Binance Smart Chain"),
        new("USDC", "Ethereum", 6, "Ethereum Network"),
        new("TRX", "Tron", 6, "Tron Network"),
        new("LTC", "Litecoin", 8, "Litecoin Network"),
        new("TON", "Ton", 9, "TON Network"),
    ];

    // OxaPay has no idempotency key: a create with an unknown outcome is looked up in its history.
    public static readonly ProviderProfile Profile = new(
        PayoutProvider.OxaPay, Assets, HasIdempotencyKey: false, SendsCompletionWebhooks: true, NeedsConfirmation: false);
}
