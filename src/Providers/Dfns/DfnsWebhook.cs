using System.Text.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers.Dfns;

/// <summary>
/// Dfns webhooks: <c>X-DFNS-WEBHOOK-SIGNATURE: sha256=&lt;hex HMAC-SHA256(secret, body)&gt;</c>, refused when
/// <c>timestampSent</c> is 5 minutes or more away from now. The only payout event is
/// <c>payout.action.required</c>; completion is learnt by polling.
/// </summary>
public sealed class DfnsWebhook(IOptions<DfnsOptions> options, TimeProvider clock) : IProviderWebhookHandler
{
    public const string SignatureHeader = "X-DFNS-WEBHOOK-SIGNATURE";

    public PayoutProvider Provider => PayoutProvider.Dfns;

    public WebhookResult Handle(Func<string, string?> header, byte[] body)
    {
        var signature = header(SignatureHeader);
        if (signature is null || !signature.StartsWith("sha256=", StringComparison.Ordinal))
            return WebhookResult.Reject($"missing or malformed {SignatureHeader}");
        if (!WebhookSignatures.HexEquals(WebhookSignatures.HmacSha256(options.Value.WebhookSecret, body), signature["sha256=".Length..]))
            return WebhookResult.Reject("signature does not match the body");

        DfnsWebhookEvent? webhook;
        try
        {
            webhook = JsonSerializer.Deserialize<DfnsWebhookEvent>(body, DfnsJson.Options);
        }
        catch (JsonException e)
        {
            return WebhookResult.Malformed($"unreadable body: {e.Message}");
        }
        if (webhook is null)
            return WebhookResult.Malformed("empty body");

        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(webhook.TimestampSent);
        if (age.Duration() >= options.Value.WebhookTolerance)
            return WebhookResult.Reject($"timestampSent is {age.Duration():g} away from now (tolerance {options.Value.WebhookTolerance:g})");

        if (webhook.Kind != "payout.action.required")
            return WebhookResult.Ignore($"event {webhook.Id} of kind {webhook.Kind} is not about payouts");

        DfnsPayout? payout;
        try
        {
            payout = webhook.Data.Deserialize<DfnsWebhookData>(DfnsJson.Options)?.Payout;
        }
        catch (JsonException e)
        {
            return WebhookResult.Malformed($"event {webhook.Id}: unreadable payout: {e.Message}");
        }
        // System.Text.Json leaves missing fields null whatever the record says.
        if (payout is not null && (payout.Asset is null || payout.Status is null))
            return WebhookResult.Malformed($"event {webhook.Id}: payout {payout.Id} without asset or status");
        if (payout is null || !Guid.TryParse(payout.ExternalId, out var payoutId))
            return WebhookResult.Ignore($"event {webhook.Id} names payout {payout?.Id} whose externalId '{payout?.ExternalId}' is not one of ours");

        return WebhookResult.Apply(new ProviderPayoutUpdated(payoutId, DfnsStatus.ToUpdate(payout), $"dfns webhook {webhook.Id}"),
            eventId: webhook.RetryOf ?? webhook.Id);
    }
}
