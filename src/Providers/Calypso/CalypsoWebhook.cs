using System.Text.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers.Calypso;

/// <summary>
/// Calypso webhooks <c>PAYOUT_CHANGE_STATUS</c>, <c>PAYOUT_CONFIRMED</c>, <c>PAYOUT_HASH_RECEIVED</c> and
/// <c>PAYOUT_VALIDATION_ERROR</c>, signed like requests with the subscription's secret. They carry
/// the idempotency key, which is our payout id.
/// </summary>
public sealed class CalypsoWebhook(IOptions<CalypsoOptions> options) : IProviderWebhookHandler
{
    public PayoutProvider Provider => PayoutProvider.Calypso;

    public WebhookResult Handle(Func<string, string?> header, byte[] body)
    {
        if (!CalypsoSignature.Verify(options.Value.WebhookSecret, body, header(CalypsoSignature.SignHeader)))
            return WebhookResult.Reject("Sign does not match the body");

        CalypsoWebhookEvent? webhook;
        try
        {
            webhook = JsonSerializer.Deserialize<CalypsoWebhookEvent>(body, CalypsoJson.Options);
        }
        catch (JsonException e)
        {
            return WebhookResult.Malformed($"unreadable body: {e.Message}");
        }
        if (webhook is null)
            return WebhookResult.Malformed("empty body");
        if (webhook.IdempotencyKey is not { } payoutId)
            return WebhookResult.Ignore($"{webhook.Type} without idempotencyKey names none of our payouts");

        ProviderPayoutUpdate? update = webhook.Type switch
        {
            "PAYOUT_CHANGE_STATUS" when webhook.PayoutStatus is not null =>
                new(null, CalypsoStatus.Map(webhook.PayoutStatus), webhook.PayoutStatus, TxHash: webhook.Hash),
            "PAYOUT_CONFIRMED" => new(null, ProviderPayoutStatus.Processing, "CONFIRMED"),
            "PAYOUT_HASH_RECEIVED" => new(null, ProviderPayoutStatus.Processing, "HASH_RECEIVED", TxHash: webhook.Hash),
            "PAYOUT_VALIDATION_ERROR" => new(null, ProviderPayoutStatus.Failed, "VALIDATION_ERROR", Message: "Calypso could not validate the payout before sending it to the network."),
            _ => null,
        };
        return update is null
            ? WebhookResult.Ignore($"webhook type {webhook.Type} carries no payout status")
            : WebhookResult.Apply(new ProviderPayoutUpdated(payoutId, update, $"calypso webhook {webhook.Type}"));
    }
}
