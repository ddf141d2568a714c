using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Consumers;

/// <summary>Cancels a payout at its provider and reports the outcome to the saga.</summary>
public sealed class CancelProviderPayoutConsumer(PayoutProviders providers, ILogger<CancelProviderPayoutConsumer> logger)
    : IConsumer<CancelProviderPayout>
{
    public async Task Consume(ConsumeContext<CancelProviderPayout> context)
    {
        var payout = context.Message.Payout;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["PayoutId"] = payout.PayoutId });
        var result = await providers.Client(payout.Provider).CancelAsync(payout, context.CancellationToken);
        if (result.Succeeded)
        {
            logger.LogInformation("Payout {PayoutId} canceled at {Provider}: {Reason}", payout.PayoutId, payout.Provider, context.Message.Reason);
            await context.Publish(new ProviderPayoutUpdated(payout.PayoutId,
                new ProviderPayoutUpdate(payout.ProviderReference, ProviderPayoutStatus.Canceled, "Canceled"), "cancel action", payout.CheckId));
            return;
        }

        logger.LogWarning("Payout {PayoutId}: {Provider} refused the cancellation: {Code} {Message}",
            payout.PayoutId, payout.Provider, result.DeclineCode, result.DeclineMessage);
        await context.Publish(new ProviderActionDeclined(payout.PayoutId, "Cancel", result.DeclineCode!, result.DeclineMessage ?? "", payout.CheckId));
    }
}
