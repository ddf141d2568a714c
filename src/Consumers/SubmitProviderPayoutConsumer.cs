using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Consumers;

/// <summary>
/// Hands a payout to its provider. The provider client never creates twice (idempotency key, or
/// a look-up before the create), so a retry after an unknown outcome is safe. A provider's "no"
/// is reported to the saga; anything that is not a decision is thrown and retried.
/// </summary>
public sealed class SubmitProviderPayoutConsumer(PayoutProviders providers, IPayoutSubmissionLock submissions, ILogger<SubmitProviderPayoutConsumer> logger)
    : IConsumer<SubmitProviderPayout>
{
    public async Task Consume(ConsumeContext<SubmitProviderPayout> context)
    {
        var payout = context.Message.Payout;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["PayoutId"] = payout.PayoutId });
        await submissions.HoldAsync(payout.PayoutId, context.CancellationToken);
        var result = await providers.Client(payout.Provider).SubmitAsync(payout, context.CancellationToken);

        if (result.Accepted is { } update)
        {
            logger.LogInformation("Payout {PayoutId} accepted by {Provider} as {Reference} ({Status})",
                payout.PayoutId, payout.Provider, update.Reference, update.ProviderStatus);
            await context.Publish(new ProviderPayoutAccepted(payout.PayoutId, update, payout.CheckId));
        }
        else
        {
            logger.LogWarning("Payout {PayoutId} declined by {Provider}: {Code} {Message}",
                payout.PayoutId, payout.Provider, result.DeclineCode, result.DeclineMessage);
            await context.Publish(new ProviderPayoutDeclined(payout.PayoutId, result.DeclineCode!, result.DeclineMessage ?? "", payout.CheckId));
        }
    }
}
