using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Consumers;

/// <summary>
/// Hands a payout to its provider, outside any database transaction. The attempt is recorded first
/// (<see cref="IPayoutSubmissions"/>): the first attempt creates at once; a later one, after an
/// outcome that may be unknown, lets the provider client find an earlier create before it sends
/// one, so a retry never pays twice. A provider's "no" is reported to the saga; anything that is
/// not a decision is thrown and retried.
/// </summary>
public sealed class SubmitProviderPayoutConsumer(PayoutProviders providers, IPayoutSubmissions submissions, ILogger<SubmitProviderPayoutConsumer> logger)
    : IConsumer<SubmitProviderPayout>
{
    public async Task Consume(ConsumeContext<SubmitProviderPayout> context)
    {
        var payout = context.Message.Payout;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["PayoutId"] = payout.PayoutId });
        await using var attempt = await submissions.BeginAsync(payout.PayoutId, context.CancellationToken)
            ?? throw new SubmissionInProgressException(payout.PayoutId);
        using var calls = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, attempt.LeaseLost);
        // A copy of a command from before a failover: the provider it names refused this payout, and the saga has moved on.
        if (payout.Routed && await submissions.RefusedAsync(payout.PayoutId, payout.Provider, context.CancellationToken))
        {
            logger.LogWarning("Payout {PayoutId}: not submitting to {Provider} again, which refused it before anything was created; it was routed elsewhere",
                payout.PayoutId, payout.Provider);
            return;
        }
        var result = await providers.Client(payout.Provider).SubmitAsync(payout, attempt.EarlierSince, calls.Token);

        if (result.Accepted is { } update)
        {
            logger.LogInformation("Payout {PayoutId} accepted by {Provider} as {Reference} ({Status}), attempt {Attempt}",
                payout.PayoutId, payout.Provider, update.Reference, update.ProviderStatus, attempt.Number);
            await context.Publish(new ProviderPayoutAccepted(payout.PayoutId, update, payout.CheckId));
        }
        else
        {
            logger.LogWarning("Payout {PayoutId} declined by {Provider}: {Code} {Message}",
                payout.PayoutId, payout.Provider, result.DeclineCode, result.DeclineMessage);
            // Refused on its first attempt in a way that leaves nothing created: a routed payout may fail over.
            var nothingCreated = attempt.Number == 1 && ProviderFailover.LeavesNothingCreated(result.DeclineCode!);
            if (nothingCreated && payout.Routed)
                await attempt.RecordRefusalAsync(payout.Provider);
            await context.Publish(new ProviderPayoutDeclined(payout.PayoutId, result.DeclineCode!, result.DeclineMessage ?? "", payout.CheckId, nothingCreated));
        }
    }
}

/// <summary>Another attempt to submit the payout is running (or died, and its lease has not lapsed yet): retried later.</summary>
public sealed class SubmissionInProgressException(Guid payoutId)
    : Exception($"Payout {payoutId}: another submission attempt holds it; trying again once it ends or its lease lapses.");
