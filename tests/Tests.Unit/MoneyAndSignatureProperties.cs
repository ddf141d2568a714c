using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Payouts.Bus.Domain;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Providers.OxaPay;
using Payouts.Bus.Providers.TheDex;

namespace Payouts.Bus.Tests.Providers;

/// <summary>
/// The money and signature rules over generated inputs (CsCheck, with shrinking to the smallest case
/// that breaks a rule), beside the worked examples in <see cref="MoneyAndSignatureTests"/>.
/// </summary>
public sealed class MoneyAndSignatureProperties
{
    private static readonly Gen<(long Units, int Decimals)> AllowedAmounts =
        Gen.Select(Gen.Long[0, 999_999_999_999_999_999L], Gen.Int[0, 18]);

    [Fact]
    public void Any_amount_the_asset_allows_converts_to_exactly_its_minimum_units() =>
        AllowedAmounts.Sample((units, decimals) =>
        {
            var asset = new ProviderAsset("X", "Ethereum", decimals, "X");
            var amount = units / Pow10(decimals);
            Assert.Equal(units.ToString(System.Globalization.CultureInfo.InvariantCulture), asset.ToMinimumDenomination(amount));
        });

    [Fact]
    public void Amount_with_a_digit_beyond_the_assets_decimals_is_refused_never_rounded() =>
        Gen.Select(Gen.Long[0, 999_999_999_999_999L], Gen.Int[0, 17], Gen.Int[1, 9]).Sample((units, decimals, extra) =>
        {
            var asset = new ProviderAsset("X", "Ethereum", decimals, "X");
            var amount = units / Pow10(decimals) + extra / Pow10(decimals + 1);
            Assert.Throws<ArgumentException>(() => asset.ToMinimumDenomination(amount));
        });

    [Fact]
    public void Webhook_signatures_hold_for_any_body_and_break_when_any_byte_changes() =>
        Gen.Select(Gen.Byte.Array[1, 512], Gen.String[1, 64], Gen.Int[0, 511]).Sample((body, secret, at) =>
        {
            var theDex = TheDexSignature.Sign(secret, TheDexSignature.Payload(body));
            var oxaPay = Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), body));
            Assert.True(TheDexSignature.Verify(secret, body, theDex));
            Assert.True(OxaPaySignature.Verify(secret, body, oxaPay));

            var tampered = (byte[])body.Clone();
            tampered[at % body.Length] ^= 0x01;
            Assert.False(TheDexSignature.Verify(secret, tampered, theDex));
            Assert.False(OxaPaySignature.Verify(secret, tampered, oxaPay));
        });

    [Fact]
    public void Internal_message_signature_fits_its_own_message_id_only() =>
        Gen.Select(Gen.Guid, Gen.Guid, Gen.Byte.Array[32, 64]).Sample((id, other, key) =>
        {
            var signature = new InternalMessageSignature(key);
            var signed = signature.Sign(typeof(Contracts.Processing.ProviderPayoutUpdated), id);
            Assert.True(signature.Verify(typeof(Contracts.Processing.ProviderPayoutUpdated), id, signed));
            Assert.Equal(id == other, signature.Verify(typeof(Contracts.Processing.ProviderPayoutUpdated), other, signed));
            Assert.False(signature.Verify(typeof(Contracts.Processing.SubmitProviderPayout), id, signed));
        });

    private static decimal Pow10(int exponent)
    {
        var power = 1m;
        for (var i = 0; i < exponent; i++)
            power *= 10;
        return power;
    }
}
