using System.Text.RegularExpressions;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// Stablecoins Dfns pays out (seed 001: "a supported stablecoin"). The list of assets is ours:
/// Dfns does not publish one; contract and mint addresses are the issuers' public ones.
/// </summary>
public static class DfnsProfile
{
    public static readonly IReadOnlyList<ProviderAsset> Assets =
    [
        new("USDC", "Polygon", 6, "USDC") { Kind = "Erc20", Contract = "0x3c499c542cef5e3811e1192ce70d8cc03d5c3359" },
        new("USDC", "Ethereum", 6, "USDC") { Kind = "Erc20", Contract = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48" },
        new("USDT", "Ethereum", 6, "USDT") { Kind = "Erc20", Contract = "0xdac17f958d2ee523a2206206994597c13d831ec7" },
        new("USDC", "Solana", 6, "USDC") { Kind = "Spl", Contract = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v" },
    ];

    // Dfns takes our payout id as externalId (its idempotency key), sends payout.action.required
    // when it waits for confirmation, and no webhook for completion: its status is polled.
    public static readonly ProviderProfile Profile = new(
        PayoutProvider.Dfns, Assets, HasIdempotencyKey: true, SendsCompletionWebhooks: false, NeedsConfirmation: true);
}

/// <summary>The 26 payment purposes Dfns accepts (seed 001).</summary>
public static class DfnsPaymentPurposes
{
    public static readonly IReadOnlySet<string> All = new SortedSet<string>(StringComparer.Ordinal)
    {
        "salary payment", "personal remittance", "rent payment", "property purchase", "owned account abroad",
        "advertising expenses", "advisory fees", "business insurance", "construction", "delivery fees",
        "education", "exports", "donation", "hotel", "loan payment", "maintenance expenses", "medical expense",
        "office expenses", "royalty fees", "service charge", "shares investment", "tax payment",
        "transportation fees", "travel", "utility bills", "other",
    };
}

public static partial class DfnsIds
{
    public static bool IsWalletId(string? id) => id is not null && WalletId().IsMatch(id);

    [GeneratedRegex("^wa-[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{14,16}$")]
    private static partial Regex WalletId();
}
