using System.Text.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers.OxaPay;

/// <summary>OxaPay payout callbacks, verified by their <c>HMAC</c> header and answered <c>200 ok</c>.</summary>
public sealed class OxaPayWebhook(IOptions<OxaPayOptions> options) : IProviderWebhookHandler
{
    private const string Acknowledgement = "ok";

    public PayoutProvider Provider => PayoutProvider.OxaPay;

    public WebhookResult Handle(Func<string, string?> header, byte[] body)
    {
        if (!OxaPaySignature.Verify(options.Value.PayoutApiKey, body, header(OxaPaySignature.CallbackHeader)))
            return WebhookResult.Reject("HMAC does not match the body");

        OxaPayCallback? callback;
        try
        {
            callback = JsonSerializer.Deserialize<OxaPayCallback>(body, OxaPayJson.Options);
        }
        catch (JsonException e)
        {
            return WebhookResult.Malformed($"unreadable body: {e.Message}");
        }
        if (callback is null)
            return WebhookResult.Malformed("empty body");
        if (callback.Type != "payout")
            return WebhookResult.Ignore($"callback of type {callback.Type} is not about a payout", Acknowledgement);
        if (!Guid.TryParse(callback.Description, out var payoutId))
            return WebhookResult.Ignore($"payout {callback.TrackId} has description '{callback.Description}', which names none of ours", Acknowledgement);

        var update = new ProviderPayoutUpdate(callback.TrackId, OxaPayStatus.Map(callback.Status), callback.Status, TxHash: callback.TxHash);
        return WebhookResult.Apply(new ProviderPayoutUpdated(payoutId, update, $"oxapay callback {callback.TrackId}/{callback.Status}"), Acknowledgement);
    }
}
