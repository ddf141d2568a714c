using MassTransit;
using Payouts.Bus.Contracts;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Host.Batches;

/// <summary>
/// Publishes <see cref="PayoutBatchCompleted"/> for each batch whose payouts have all ended, looking
/// every <see cref="Interval"/> at open batches only (so the cost does not grow with history, and a
/// payout's own path carries no batch work). The event's message id is the batch id: published again
/// after a crash, or by two hosts at once, it is the same message to a subscriber's inbox.
/// </summary>
public sealed class PayoutBatchCompletion(IServiceScopeFactory scopes, IBus bus, TimeProvider clock, ILogger<PayoutBatchCompletion> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CompleteEndedBatchesAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing is marked complete before its event is out: the next look publishes it.
                logger.LogWarning(e, "Looking for completed payout batches failed; trying again in {Interval}", Interval);
            }
        }
    }

    public async Task CompleteEndedBatchesAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var batches = scope.ServiceProvider.GetRequiredService<PayoutBatches>();
        foreach (var batch in await batches.EndedButOpenAsync(100, cancellationToken))
        {
            var byState = await batches.CountByStateAsync(batch.BatchId, cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            await bus.Publish(new PayoutBatchCompleted(batch.BatchId, batch.ExternalId, byState.Sum(s => s.Count), byState, now),
                context => context.MessageId = batch.BatchId, cancellationToken);
            await batches.MarkCompletedAsync(batch.BatchId, now, cancellationToken);
            logger.LogInformation("Batch {BatchId} ({ExternalId}) completed: {States}", batch.BatchId, batch.ExternalId,
                string.Join(", ", byState.Select(s => $"{s.Count} {s.State}")));
        }
    }
}
