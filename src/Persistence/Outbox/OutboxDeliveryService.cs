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
/// Also removes, in batches, the rows of messages consumers sent from memory after their commit;
/// sends again those a dead process left unsent; and removes inbox rows of messages consumed long
/// ago. Several hosts may run it: rows are claimed so that the others skip them (see
/// <see cref="SqlDialect.ClaimDue"/>).
/// </summary>
internal sealed class OutboxDeliveryService(
    IServiceScopeFactory scopes, IBusControl bus, DeliveredOutboxRows delivered, IOptions<DatabaseOptions> options,
    ILogger<OutboxDeliveryService> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private const int RemoveBatchSize = 500;

    /// <summary>
    /// A consumer's stored message still here this long after it was stored, and not in this
    /// process's hands, was left by a process that died (or whose every send failed). Longer than
    /// any one consume takes, provider calls included, so that another host's rows in flight are left alone.
    /// </summary>
    private static readonly TimeSpan OrphanedAfter = TimeSpan.FromMinutes(5);

    private readonly DateTime _started = DateTime.UtcNow;
    private bool _sweptAtStart;
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
                while (await RemoveDeliveredAsync(stoppingToken) == RemoveBatchSize)
                {
                    // A full batch: more are waiting.
                }
                while (await DeliverDueAsync(stoppingToken) == BatchSize)
                {
                    // A full batch: more may be due right now; meanwhile, sent rows keep going.
                    await RemoveDeliveredAsync(stoppingToken);
                }
                await RemoveDeliveredAsync(stoppingToken);
                while (await DeliverOrphanedAsync(stoppingToken) == BatchSize)
                {
                    // A full batch: more may be waiting.
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

    private Task<int> DeliverDueAsync(CancellationToken cancellationToken) =>
        SendClaimedAsync(db => SqlDialect.ClaimDue(db, DateTime.UtcNow, BatchSize), "scheduled", LogLevel.Debug, cancellationToken);

    /// <summary>
    /// Messages a consumer stored and committed but that were never sent from memory, because the
    /// process died between the commit and the send (on the in-memory transport nothing else would
    /// ever send them). Those stored before this process started are swept at once.
    /// </summary>
    private async Task<int> DeliverOrphanedAsync(CancellationToken cancellationToken)
    {
        var before = _sweptAtStart ? DateTime.UtcNow - OrphanedAfter : _started;
        var count = await SendClaimedAsync(db => SqlDialect.ClaimOrphaned(db, before, BatchSize), "orphaned", LogLevel.Warning, cancellationToken,
            skip: row => delivered.IsOurs(row.SequenceNumber));
        if (count < BatchSize)
            _sweptAtStart = true;
        return count;
    }

    /// <returns>
    /// How many were sent: a full batch is followed by another. Rows skipped as ours do not count,
    /// or a batch full of them would be claimed again and again.
    /// </returns>
    private async Task<int> SendClaimedAsync(Func<PayoutsDbContext, IQueryable<OutboxMessage>> claim, string kind, LogLevel level,
        CancellationToken cancellationToken, Func<OutboxMessage, bool>? skip = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await claim(db).AsTracking().ToListAsync(cancellationToken);
        var due = skip is null ? claimed : claimed.Where(m => !skip(m)).ToList();

        // Sent side by side: each waits for the broker's confirmation, and their order does not matter.
        await Task.WhenAll(due.Select(async message =>
        {
            message.Deserialize(SystemTextJsonMessageSerializer.Instance);
            var endpoint = await bus.GetSendEndpoint(message.DestinationAddress!);
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, message.DestinationAddress), cancellationToken);
        }));
        // Sent before the rows go: a crash in between sends again (at least once); consumers deduplicate by message id.
        db.RemoveRange(due);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (due.Count > 0)
            logger.Log(level, "Delivered {Count} {Kind} messages", due.Count, kind);
        return due.Count;
    }

    /// <summary>Removes the rows of messages already sent from memory, in one statement per batch.</summary>
    private async Task<int> RemoveDeliveredAsync(CancellationToken cancellationToken)
    {
        var rows = delivered.TakeSent(RemoveBatchSize);
        if (rows.Count == 0)
            return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        try
        {
            await db.Set<OutboxMessage>().Where(m => rows.Contains(m.SequenceNumber)).ExecuteDeleteAsync(cancellationToken);
        }
        catch
        {
            // Kept for the next round; if the process dies first, the sweep sends them again.
            delivered.Sent(rows);
            throw;
        }
        delivered.Forget(rows);
        return rows.Count;
    }

    private async Task RemoveDeliveredInboxRowsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        var before = DateTime.UtcNow - options.Value.InboxRetention;
        var removed = await db.Set<InboxState>().Where(i => i.Consumed != null && i.Consumed < before).ExecuteDeleteAsync(cancellationToken);
        if (removed > 0)
            logger.LogInformation("Removed {Count} inbox rows consumed before {Before:O}", removed, before);
    }
}
