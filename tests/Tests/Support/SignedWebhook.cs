using System.Security.Cryptography;
using System.Text;
using Payouts.Bus.Sandbox;

namespace Payouts.Bus.Tests.Support;

/// <summary>Provider webhooks as the providers send them, with the sandbox's default secrets.</summary>
public static class SignedWebhook
{
    private static readonly SandboxOptions Secrets = new();

    /// <summary>Signs a body the way each provider documents it, computed here rather than by the code under test.</summary>
    public static HttpRequestMessage Request(string provider, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{provider}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var bytes = Encoding.UTF8.GetBytes(body);
        switch (provider)
        {
            case "thedex":
                var payload = Convert.ToBase64String(bytes);
                request.Headers.Add("X-EX-APIKEY", Secrets.TheDexApiKey);
                request.Headers.Add("X-EX-PAYLOAD", payload);
                request.Headers.Add("X-EX-SIGNATURE", Hex(HMACSHA512.HashData(Key(Secrets.TheDexApiSecret), Encoding.UTF8.GetBytes(payload))));
                break;
            case "calypso":
                request.Headers.Add("Key", Secrets.CalypsoPublicKey);
                request.Headers.Add("Sign", Hex(HMACSHA512.HashData(Key(Secrets.CalypsoWebhookSecret), bytes)));
                break;
            case "oxapay":
                request.Headers.Add("HMAC", Hex(HMACSHA512.HashData(Key(Secrets.OxaPayPayoutApiKey), bytes)));
                break;
            case "dfns":
                request.Headers.Add("X-DFNS-WEBHOOK-SIGNATURE", "sha256=" + Hex(HMACSHA256.HashData(Key(Secrets.DfnsWebhookSecret), bytes)));
                break;
        }
        return request;
    }

    private static byte[] Key(string secret) => Encoding.UTF8.GetBytes(secret);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
