using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Consumers;

/// <summary>
/// Sends the confirmation the caller approved. What follows (on-chain transfer, completion) is
/// learnt from the provider's status, so success publishes nothing; a refusal goes back to the saga.
/// </summary>
public sealed class ConfirmProviderPayoutConsumer(PayoutProviders providers, ILogger<ConfirmProviderPayoutConsumer> logger)
    : IConsumer<ConfirmProviderPayout>
{
    public async Task Consume(ConsumeContext<ConfirmProviderPayout> context)
    {
        var payout = context.Message.Payout;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["PayoutId"] = payout.PayoutId });
        var result = await providers.Client(payout.Provider).ConfirmAsync(payout, context.Message.DepositAddress, context.CancellationToken);
        if (result.Succeeded)
        {
            logger.LogInformation("Payout {PayoutId} confirmed at {Provider}", payout.PayoutId, payout.Provider);
            return;
        }

        logger.LogWarning("Payout {PayoutId}: {Provider} refused the confirmation: {Code} {Message}",
            payout.PayoutId, payout.Provider, result.DeclineCode, result.DeclineMessage);
        await context.Publish(new ProviderActionDeclined(payout.PayoutId, "Confirm", result.DeclineCode!, result.DeclineMessage ?? "", payout.CheckId));
    }
}
