using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Providers;
using Payouts.Bus.Providers.Dfns;
using Payouts.Bus.Providers.TheDex;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Tests.Providers;

public sealed class MoneyAndSignatureTests
{
    [Theory]
    [InlineData("1000", 6, "1000000000")]
    [InlineData("0.000001", 6, "1")]
    [InlineData("12.5", 18, "12500000000000000000")]
    public void Amount_converts_exactly_to_minimum_denomination(string amount, int decimals, string expected)
    {
        var asset = new ProviderAsset("X", "Ethereum", decimals, "X");
        Assert.Equal(expected, asset.ToMinimumDenomination(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Amount_finer_than_the_asset_allows_is_refused_not_rounded()
    {
        var asset = new ProviderAsset("USDC", "Polygon", 6, "USDC");
        Assert.Throws<ArgumentException>(() => asset.ToMinimumDenomination(0.0000001m));
    }

    [Theory]
    [InlineData("1.500", 1)]
    [InlineData("100", 0)]
    [InlineData("1.1234567", 7)]
    public void Scale_ignores_trailing_zeros(string amount, int expected) =>
        Assert.Equal(expected, Amounts.Scale(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Amount_in_json_is_a_string_and_reads_back_exactly()
    {
        var money = new Money(0.1m + 0.2m, "USDT", "Tron");
        var json = System.Text.Json.JsonSerializer.Serialize(money);
        Assert.Contains("\"Amount\":\"0.3\"", json);
        Assert.Equal(money, System.Text.Json.JsonSerializer.Deserialize<Money>(json));
    }

    [Fact]
    public void TheDex_signature_is_hex_hmac_sha512_of_the_base64_payload()
    {
        var body = Encoding.UTF8.GetBytes("{\"request\":\"/api/v1/payouts/create\",\"nonce\":1}");
        var payload = Convert.ToBase64String(body);
        var expected = Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes("secret"), Encoding.UTF8.GetBytes(payload)));

        Assert.Equal(payload, TheDexSignature.Payload(body));
        Assert.Equal(expected, TheDexSignature.Sign("secret", payload));
        Assert.True(TheDexSignature.Verify("secret", body, expected));
        Assert.False(TheDexSignature.Verify("secret", [.. body, (byte)' '], expected));
    }

    /// <summary>Known answers computed outside .NET (Python's hmac module), with the sandbox's secrets.</summary>
    [Fact]
    public void Signatures_match_vectors_computed_elsewhere()
    {
        const string theDexBody = "{\"request\":\"/api/v1/payouts/create\",\"nonce\":1}";
        Assert.Equal("eyJyZXF1ZXN0IjoiL2FwaS92MS9wYXlvdXRzL2NyZWF0ZSIsIm5vbmNlIjoxfQ==", TheDexSignature.Payload(Encoding.UTF8.GetBytes(theDexBody)));
        Assert.Equal("ae3af6e5818c30c91707901705418f7741b336b3a5870fe16c19674d5d33ff77dca71c3ab7221515a0576f6ee649a174eba9de7e27c1a83c69b19b29f81324ea",
            TheDexSignature.Sign("sandbox-thedex-secret", "eyJyZXF1ZXN0IjoiL2FwaS92MS9wYXlvdXRzL2NyZWF0ZSIsIm5vbmNlIjoxfQ=="));

        const string calypsoBody = "{\"account\":\"0x00000000000000000000000000000000000ca15e\",\"timestamp\":1700000000000,\"payload\":{}}";
        Assert.Equal("8ff4dceac1f2ab949d8490d9a54a5adb7a31a74cb464325a8af212986dd115753a5ab924f38522223f1aa6a4dd8e6cd4fa8c93e9ab340d9c491749fe0e2a70b4",
            Bus.Providers.Calypso.CalypsoSignature.Sign("sandbox-calypso-secret", calypsoBody));

        var oxaPayCallback = Encoding.UTF8.GetBytes("{\"track_id\":\"abc123\",\"type\":\"payout\",\"status\":\"confirmed\"}");
        Assert.True(Bus.Providers.OxaPay.OxaPaySignature.Verify("sandbox-oxapay-key", oxaPayCallback,
            "1277203c7547fed150a6fbe685b33b511d7f59c221c0edba9862a01681f94e320928c8f3d54bca6ecef0f3d82f8485b06fffcfbdf94e7ee3fafb4ced306f33ff"));
        Assert.False(Bus.Providers.OxaPay.OxaPaySignature.Verify("another-key", oxaPayCallback,
            "1277203c7547fed150a6fbe685b33b511d7f59c221c0edba9862a01681f94e320928c8f3d54bca6ecef0f3d82f8485b06fffcfbdf94e7ee3fafb4ced306f33ff"));
    }

    [Fact]
    public void Dfns_webhook_is_refused_when_tampered_stale_or_unsigned()
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var webhook = new DfnsWebhook(Options.Create(new DfnsOptions { WebhookSecret = "whsec" }), clock);
        var body = "{\"id\":\"wh-1\",\"kind\":\"payout.action.required\",\"timestampSent\":1800000000,\"data\":{\"payout\":{\"id\":\"pyt-1\",\"walletId\":\"wa-1\",\"status\":\"Processing\",\"externalId\":\"" + Guid.NewGuid() + "\",\"asset\":{\"kind\":\"Erc20\",\"amount\":\"1\"},\"data\":{\"executionStatus\":\"AwaitingPayoutConfirmation\",\"depositAddress\":\"0xabc\"}}}}";
        string Sign(string b) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec"), Encoding.UTF8.GetBytes(b)));
        WebhookResult Handle(string b, string? signature) => webhook.Handle(n => n == DfnsWebhook.SignatureHeader ? signature : null, Encoding.UTF8.GetBytes(b));

        var accepted = Handle(body, Sign(body));
        Assert.Equal(200, accepted.StatusCode);
        Assert.Equal("0xabc", accepted.Update!.Update.DepositAddress);

        Assert.Equal(401, Handle(body.Replace("0xabc", "0xevil"), Sign(body)).StatusCode);
        Assert.Equal(401, Handle(body, null).StatusCode);
        var stale = body.Replace("1800000000", "1799999600");
        Assert.Equal(401, Handle(stale, Sign(stale)).StatusCode);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
