using System.Text;

namespace Payouts.Bus.Providers.TheDex;

/// <summary>
/// TheDex request signing: <c>X-EX-PAYLOAD</c> is the base64 of the exact JSON body, and
/// <c>X-EX-SIGNATURE</c> the lowercase hex HMAC-SHA512 of that base64 string under the API secret.
/// Callbacks carry the same three headers over the body TheDex sends.
/// </summary>
public static class TheDexSignature
{
    public const string ApiKeyHeader = "X-EX-APIKEY";
    public const string PayloadHeader = "X-EX-PAYLOAD";
    public const string SignatureHeader = "X-EX-SIGNATURE";

    public static string Payload(byte[] body) => Convert.ToBase64String(body);

    public static string Sign(string secret, string payload) =>
        Convert.ToHexStringLower(WebhookSignatures.HmacSha512(secret, Encoding.UTF8.GetBytes(payload)));

    public static bool Verify(string secret, byte[] body, string? presentedSignature) =>
        WebhookSignatures.HexEquals(
            WebhookSignatures.HmacSha512(secret, Encoding.UTF8.GetBytes(Payload(body))), presentedSignature);
}

/// <summary>
/// Nonces for TheDex requests: unix milliseconds, strictly increasing per API key (TheDex does not
/// document its nonce rule; strictly increasing satisfies every usual one). One per process.
/// </summary>
public sealed class TheDexNonce(TimeProvider clock)
{
    private long _last;

    public long Next()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(clock.GetUtcNow().ToUnixTimeMilliseconds(), last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
                return next;
        }
    }
}
