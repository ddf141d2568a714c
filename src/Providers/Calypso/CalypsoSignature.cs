using System.Text;

namespace Payouts.Bus.Providers.Calypso;

/// <summary>
/// Calypso signing: <c>Key</c> = public key, <c>Sign</c> = lowercase hex HMAC-SHA512 of the exact body
/// string. Webhooks are signed the same way with the subscription's secret.
/// </summary>
public static class CalypsoSignature
{
    public const string KeyHeader = "Key";
    public const string SignHeader = "Sign";

    public static string Sign(string secret, string body) =>
        Convert.ToHexStringLower(WebhookSignatures.HmacSha512(secret, Encoding.UTF8.GetBytes(body)));

    public static bool Verify(string secret, byte[] body, string? presentedSignature) =>
        WebhookSignatures.HexEquals(WebhookSignatures.HmacSha512(secret, body), presentedSignature);
}
