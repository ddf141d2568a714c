using System.Text.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers.TheDex;

/// <summary>
/// TheDex callbacks: the payout object as body, with the same <c>X-EX-*</c> headers as requests.
/// Verified by checking the key and the HMAC-SHA512 of the base64 of the raw body.
/// </summary>
public sealed class TheDexWebhook(IOptions<TheDexOptions> options) : IProviderWebhookHandler
{
    public PayoutProvider Provider => PayoutProvider.TheDex;

    public WebhookResult Handle(Func<string, string?> header, byte[] body)
    {
        if (header(TheDexSignature.ApiKeyHeader) != options.Value.ApiKey)
            return WebhookResult.Reject($"{TheDexSignature.ApiKeyHeader} is missing or not our key");
        if (!TheDexSignature.Verify(options.Value.ApiSecret, body, header(TheDexSignature.SignatureHeader)))
            return WebhookResult.Reject("signature does not match the body");

        TheDexPayout? payout;
        try
        {
            payout = JsonSerializer.Deserialize<TheDexPayout>(body, TheDexJson.Options);
        }
        catch (JsonException e)
        {
            return WebhookResult.Malformed($"unreadable body: {e.Message}");
        }

        if (payout is null || !Guid.TryParse(payout.Description, out var payoutId))
            return WebhookResult.Ignore($"payout {payout?.Id} has description '{payout?.Description}', which names none of ours");

        return WebhookResult.Apply(new ProviderPayoutUpdated(payoutId, TheDexStatus.ToUpdate(payout), $"thedex callback {payout.Id}/{payout.Status}"));
    }
}
