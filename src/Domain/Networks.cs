using System.Text.RegularExpressions;

namespace Payouts.Bus.Domain;

/// <summary>
/// The blockchain networks payouts can go to, by the one name this processor uses for each
/// (providers name them differently; each provider's asset table maps to its own names).
/// </summary>
public static partial class Networks
{
    private static readonly Dictionary<string, Regex> AddressFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Bitcoin"] = BitcoinAddress(),
        ["Litecoin"] = LitecoinAddress(),
        ["Ethereum"] = EvmAddress(),
        ["Polygon"] = EvmAddress(),
        ["Bsc"] = EvmAddress(),
        ["Arbitrum"] = EvmAddress(),
        ["Optimism"] = EvmAddress(),
        ["Base"] = EvmAddress(),
        ["Tron"] = TronAddress(),
        ["Solana"] = SolanaAddress(),
        ["Ton"] = TonAddress(),
        ["Ripple"] = RippleAddress(),
        ["Dogecoin"] = DogecoinAddress(),
    };

    /// <summary>The canonical spelling of a network name, or null when it is not one we know.</summary>
    public static string? Canonical(string? network) =>
        network is not null && AddressFormats.ContainsKey(network)
            ? AddressFormats.Keys.First(k => string.Equals(k, network, StringComparison.OrdinalIgnoreCase))
            : null;

    /// <summary>Length and alphabet on every network; the checksum too where the network defines one.</summary>
    public static bool IsValidAddress(string network, string address) =>
        AddressFormats.TryGetValue(network, out var format) && format.IsMatch(address) && HasValidChecksum(network, address);

    private static bool HasValidChecksum(string network, string address) => network switch
    {
        "Tron" => AddressChecksums.IsBase58Check(address, 0x41),
        "Bitcoin" => address.StartsWith("bc1", StringComparison.Ordinal) ? AddressChecksums.IsSegWit(address, "bc") : AddressChecksums.IsBase58Check(address, 0x00, 0x05),
        "Litecoin" => address.StartsWith("ltc1", StringComparison.Ordinal) ? AddressChecksums.IsSegWit(address, "ltc") : AddressChecksums.IsBase58Check(address, 0x30, 0x32, 0x05),
        "Dogecoin" => AddressChecksums.IsBase58Check(address, 0x1e),
        "Ethereum" or "Polygon" or "Bsc" or "Arbitrum" or "Optimism" or "Base" => AddressChecksums.IsEip55(address),
        _ => true,
    };

    [GeneratedRegex("^(bc1[02-9ac-hj-np-z]{11,71}|[13][1-9A-HJ-NP-Za-km-z]{25,34})$")]
    private static partial Regex BitcoinAddress();

    [GeneratedRegex("^(ltc1[02-9ac-hj-np-z]{11,71}|[LM3][1-9A-HJ-NP-Za-km-z]{26,33})$")]
    private static partial Regex LitecoinAddress();

    [GeneratedRegex("^0x[0-9a-fA-F]{40}$")]
    private static partial Regex EvmAddress();

    [GeneratedRegex("^T[1-9A-HJ-NP-Za-km-z]{33}$")]
    private static partial Regex TronAddress();

    [GeneratedRegex("^[1-9A-HJ-NP-Za-km-z]{32,44}$")]
    private static partial Regex SolanaAddress();

    [GeneratedRegex("^([EU]Q[A-Za-z0-9_-]{46}|-?[0-9]:[0-9a-fA-F]{64})$")]
    private static partial Regex TonAddress();

    [GeneratedRegex("^r[1-9A-HJ-NP-Za-km-z]{24,34}$")]
    private static partial Regex RippleAddress();

    [GeneratedRegex("^D[1-9A-HJ-NP-Za-km-z]{25,34}$")]
    private static partial Regex DogecoinAddress();
}
