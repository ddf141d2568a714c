using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Consumers;

/// <summary>
/// Asks the provider where a payout stands and reports it to the saga, which decides whether it
/// changes anything. A provider that cannot be reached is logged and asked again at the next poll,
/// so an outage does not fill the error queue with polls.
/// </summary>
public sealed class CheckProviderPayoutConsumer(PayoutProviders providers, ILogger<CheckProviderPayoutConsumer> logger)
    : IConsumer<CheckProviderPayout>
{
    public async Task Consume(ConsumeContext<CheckProviderPayout> context)
    {
        var payout = context.Message.Payout;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["PayoutId"] = payout.PayoutId });
        ProviderPayoutUpdate? update;
        try
        {
            update = await providers.Client(payout.Provider).GetAsync(payout, context.CancellationToken);
        }
        catch (ProviderException e)
        {
            logger.LogWarning("Payout {PayoutId}: status check at {Provider} failed, will ask again at the next poll: {Reason}",
                payout.PayoutId, payout.Provider, e.Message);
            return;
        }

        if (update is null)
        {
            logger.LogWarning("Payout {PayoutId}: {Provider} does not know reference {Reference}", payout.PayoutId, payout.Provider, payout.ProviderReference);
            return;
        }

        await context.Publish(new ProviderPayoutUpdated(payout.PayoutId, update, "status poll", payout.CheckId));
    }
}
