using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Providers;
using Payouts.Bus.Providers.Dfns;
using Payouts.Bus.Providers.TheDex;

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
        Assert.Equal(expected, ProviderAssets.Scale(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

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
