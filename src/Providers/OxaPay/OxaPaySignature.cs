namespace Payouts.Bus.Providers.OxaPay;

/// <summary>OxaPay callbacks carry <c>HMAC</c> = hex HMAC-SHA512 of the raw body under the payout API key.</summary>
public static class OxaPaySignature
{
    public const string ApiKeyHeader = "payout_api_key";
    public const string CallbackHeader = "HMAC";

    public static bool Verify(string payoutApiKey, byte[] body, string? presentedSignature) =>
        WebhookSignatures.HexEquals(WebhookSignatures.HmacSha512(payoutApiKey, body), presentedSignature);
}
