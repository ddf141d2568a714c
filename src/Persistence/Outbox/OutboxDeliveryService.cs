using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Sends stored messages that belong to no consumer when they are due: scheduled ones (saga
/// timeouts, polls, retries) and those published from HTTP requests (<see cref="PayoutsBusOutbox"/>,
/// due at once). They survive restarts of the host, the broker and the database, and need no
/// broker-side delay.
/// Also removes inbox rows of messages delivered long ago. Several hosts may run it: rows are
/// claimed so that the others skip them (see <see cref="SqlDialect.ClaimDue"/>).
/// </summary>
internal sealed class OutboxDeliveryService(
    IServiceScopeFactory scopes, IBusControl bus, IOptions<DatabaseOptions> options, ILogger<OutboxDeliveryService> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private DateTime _nextCleanup = DateTime.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeliveryInterval);
        do
        {
            if (bus.CheckHealth().Status != BusHealthStatus.Healthy)
                continue;
            try
            {
                while (await DeliverDueAsync(stoppingToken) == BatchSize)
                {
                    // A full batch: more may be due right now.
                }
                if (DateTime.UtcNow >= _nextCleanup)
                {
                    await RemoveDeliveredInboxRowsAsync(stoppingToken);
                    _nextCleanup = DateTime.UtcNow.AddMinutes(1);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Delivering scheduled messages failed; trying again in {Interval}", options.Value.DeliveryInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var due = await SqlDialect.ClaimDue(db, DateTime.UtcNow, BatchSize).AsTracking().ToListAsync(cancellationToken);

        foreach (var message in due)
        {
            message.Deserialize(SystemTextJsonMessageSerializer.Instance);
            var endpoint = await bus.GetSendEndpoint(message.DestinationAddress!);
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, message.DestinationAddress), cancellationToken);
        }
        // Sent before the rows go: a crash in between sends again (at least once); consumers deduplicate by message id.
        db.RemoveRange(due);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (due.Count > 0)
            logger.LogDebug("Delivered {Count} scheduled messages", due.Count);
        return due.Count;
    }

    private async Task RemoveDeliveredInboxRowsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        var before = DateTime.UtcNow - options.Value.InboxRetention;
        var removed = await db.Set<InboxState>().Where(i => i.Delivered != null && i.Delivered < before).ExecuteDeleteAsync(cancellationToken);
        if (removed > 0)
            logger.LogInformation("Removed {Count} inbox rows delivered before {Before:O}", removed, before);
    }
}
