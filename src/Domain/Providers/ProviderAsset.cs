using Payouts.Bus.Contracts;
using Payouts.Bus.Providers.Calypso;
using Payouts.Bus.Providers.Dfns;
using Payouts.Bus.Providers.OxaPay;
using Payouts.Bus.Providers.TheDex;

namespace Payouts.Bus.Providers;

/// <summary>
/// A currency on a network as one provider supports it: how many decimals an amount may have,
/// and the provider's own code for it.
/// </summary>
public sealed record ProviderAsset(string Currency, string Network, int Decimals, string ProviderCode)
{
    /// <summary>Token standard (Dfns: Erc20, Spl) and contract or mint address, where the provider needs them.</summary>
    public string? Kind { get; init; }

    public string? Contract { get; init; }

    /// <summary>The amount in the asset's minimum denomination, e.g. 1000 USDC at 6 decimals = "1000000000".</summary>
    public string ToMinimumDenomination(decimal amount)
    {
        var scaled = amount;
        for (var i = 0; i < Decimals; i++)
            scaled *= 10;
        if (scaled != decimal.Truncate(scaled))
            throw new ArgumentException($"{amount} has more than {Decimals} decimals for {Currency} on {Network}.", nameof(amount));
        return decimal.Truncate(scaled).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

public static class ProviderAssets
{
    public static IReadOnlyList<ProviderAsset> For(PayoutProvider provider) => provider switch
    {
        PayoutProvider.Dfns => DfnsAssets.All,
        PayoutProvider.TheDex => TheDexAssets.All,
        PayoutProvider.Calypso => CalypsoAssets.All,
        PayoutProvider.OxaPay => OxaPayAssets.All,
        _ => [],
    };

    public static ProviderAsset? Find(PayoutProvider provider, string currency, string network) =>
        For(provider).FirstOrDefault(a =>
            string.Equals(a.Currency, currency, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(a.Network, network, StringComparison.OrdinalIgnoreCase));

    public static ProviderAsset Get(PayoutProvider provider, Money amount) =>
        Find(provider, amount.Currency, amount.Network)
        ?? throw new InvalidOperationException($"{provider} does not pay out {amount.Currency} on {amount.Network}; the request should have been rejected.");

    /// <summary>Decimal places actually used, ignoring trailing zeros ("1.500" uses 1).</summary>
    public static int Scale(decimal amount) => (decimal.GetBits(amount / 1.000000000000000000000000000000000m)[3] >> 16) & 0xFF;
}
