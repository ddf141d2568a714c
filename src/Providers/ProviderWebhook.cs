using System.Security.Cryptography;
using System.Text;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers;

/// <summary>Verifies and reads one provider's webhooks or callbacks.</summary>
public interface IProviderWebhookHandler
{
    PayoutProvider Provider { get; }

    /// <param name="header">Looks up a request header by name (case-insensitive), null when absent.</param>
    /// <param name="body">The raw request body, exactly as received: signatures cover these bytes.</param>
    WebhookResult Handle(Func<string, string?> header, byte[] body);
}

/// <summary>
/// What became of a webhook, as the HTTP status to answer: 401 for forged or stale ones, 400 for
/// signed ones we cannot read (both change nothing), 200 for accepted ones, which yield at most
/// one update for one of our payouts.
/// </summary>
/// <param name="EventId">
/// The provider's id of the event, the same on every delivery of it, where the provider has one;
/// otherwise the delivery is identified by its content.
/// </param>
public sealed record WebhookResult(
    int StatusCode,
    string Reason,
    ProviderPayoutUpdated? Update,
    string ResponseBody,
    string? EventId = null)
{
    public static WebhookResult Reject(string reason) => new(401, reason, null, "");

    public static WebhookResult Malformed(string reason) => new(400, reason, null, "");

    public static WebhookResult Ignore(string reason, string responseBody = "") => new(200, reason, null, responseBody);

    public static WebhookResult Apply(ProviderPayoutUpdated update, string responseBody = "", string? eventId = null) =>
        new(200, $"{update.Update.ProviderStatus} for payout {update.PayoutId}", update, responseBody, eventId);

    /// <summary>
    /// The bus message id of the accepted update: derived from the provider and the event id (or
    /// the raw body), so every delivery of one event becomes the same message, which the inbox
    /// lets through once.
    /// </summary>
    public Guid MessageId(PayoutProvider provider, byte[] body)
    {
        var key = EventId ?? Convert.ToHexString(SHA256.HashData(body));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"webhook:{provider}:{key}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}

internal static class WebhookSignatures
{
    /// <summary>Compares a lowercase or uppercase hex signature with the expected bytes in constant time.</summary>
    public static bool HexEquals(byte[] expected, string? presentedHex)
    {
        if (string.IsNullOrEmpty(presentedHex) || presentedHex.Length != expected.Length * 2)
            return false;
        byte[] presented;
        try
        {
            presented = Convert.FromHexString(presentedHex);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    public static byte[] HmacSha512(string secret, byte[] data) => HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), data);

    public static byte[] HmacSha256(string secret, byte[] data) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data);
}
