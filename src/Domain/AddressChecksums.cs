using System.Numerics;
using System.Security.Cryptography;

namespace Payouts.Bus.Domain;

/// <summary>
/// The checksums networks build into their addresses, so that a mistyped address is refused here
/// instead of being paid to: Base58Check (Tron, Bitcoin, Litecoin and Dogecoin legacy addresses)
/// Bech32/Bech32m (Bitcoin and Litecoin SegWit) and EIP-55 mixed case (EVM networks).
/// </summary>
internal static class AddressChecksums
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Bech32Alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static readonly uint[] Bech32Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    /// <summary>A 25-byte Base58Check payload: one of the version bytes, 20 bytes of hash, and the first 4 bytes of SHA-256 applied twice to them.</summary>
    public static bool IsBase58Check(string address, params ReadOnlySpan<byte> versions)
    {
        BigInteger value = 0;
        foreach (var c in address)
        {
            var digit = Base58Alphabet.IndexOf(c);
            if (digit < 0)
                return false;
            value = value * 58 + digit;
        }
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var leadingZeros = address.TakeWhile(c => c == '1').Count();
        if (leadingZeros + bytes.Length != 25)
            return false;
        var payload = new byte[25];
        bytes.CopyTo(payload, leadingZeros);
        var checksum = SHA256.HashData(SHA256.HashData(payload.AsSpan(0, 21)));
        return versions.Contains(payload[0]) && checksum.AsSpan(0, 4).SequenceEqual(payload.AsSpan(21, 4));
    }

    /// <summary>A SegWit address of <paramref name="prefix"/>: witness version 0 checksummed with Bech32, later versions with Bech32m (BIP 173, BIP 350).</summary>
    public static bool IsSegWit(string address, string prefix)
    {
        var separator = address.LastIndexOf('1');
        if (separator != prefix.Length || !address.StartsWith(prefix, StringComparison.Ordinal) || address.Length - separator - 1 < 7)
            return false;
        var values = new List<uint>();
        foreach (var c in prefix)
            values.Add((uint)c >> 5);
        values.Add(0);
        foreach (var c in prefix)
            values.Add((uint)c & 31);
        var data = address[(separator + 1)..];
        foreach (var c in data)
        {
            var digit = Bech32Alphabet.IndexOf(c);
            if (digit < 0)
                return false;
            values.Add((uint)digit);
        }
        var witnessVersion = Bech32Alphabet.IndexOf(data[0]);
        return Polymod(values) == (witnessVersion == 0 ? 1u : 0x2bc830a3u);
    }

    /// <summary>
    /// EIP-55: an address written in mixed case carries its checksum in the case of its letters
    /// (upper where the Keccak-256 of the lower-case hex has a nibble of 8 or more). All lower or all
    /// upper case carries none, and is taken as written.
    /// </summary>
    public static bool IsEip55(string address)
    {
        var hex = address[2..];
        if (!hex.Any(char.IsUpper) || !hex.Any(char.IsLower))
            return true;
        var hash = Keccak256.Hash(System.Text.Encoding.ASCII.GetBytes(hex.ToLowerInvariant()));
        for (var i = 0; i < hex.Length; i++)
        {
            if (!char.IsLetter(hex[i]))
                continue;
            var nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            if (char.IsUpper(hex[i]) != (nibble >= 8))
                return false;
        }
        return true;
    }

    private static uint Polymod(List<uint> values)
    {
        uint check = 1;
        foreach (var value in values)
        {
            var top = check >> 25;
            check = ((check & 0x1ffffff) << 5) ^ value;
            for (var i = 0; i < 5; i++)
                if (((top >> i) & 1) != 0)
                    check ^= Bech32Generator[i];
        }
        return check;
    }
}
