using System.Globalization;

namespace Payouts.Bus.Domain;

/// <summary>
/// A currency on a network as one provider supports it: how many decimals an amount may have,
/// and the provider's own code for it.
/// </summary>
public sealed record ProviderAsset(string Currency, string Network, int Decimals, string ProviderCode)
{
    /// <summary>Token standard (Dfns: Erc20, Spl) and contract or mint address, where the provider needs them.</summary>
    public string? Kind { get; init; }

    public string? Contract { get; init; }

    /// <summary>
    /// The amount in the asset's minimum denomination, e.g. 1000 USDC at 6 decimals = "1000000000".
    /// Done on the digits, not by multiplying: 10^18 times an amount overflows a decimal above about 7.9e10.
    /// </summary>
    public string ToMinimumDenomination(decimal amount)
    {
        if (amount < 0)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "A payout amount is never negative.");
        var text = amount.ToString(CultureInfo.InvariantCulture);
        var point = text.IndexOf('.');
        var whole = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..].TrimEnd('0');
        if (fraction.Length > Decimals)
            throw new ArgumentException($"{amount} has more than {Decimals} decimals for {Currency} on {Network}.", nameof(amount));
        var digits = (whole + fraction.PadRight(Decimals, '0')).TrimStart('0');
        return digits.Length == 0 ? "0" : digits;
    }
}
