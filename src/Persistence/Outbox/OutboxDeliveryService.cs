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
    /// Rounds, each begun and ended with the bus healthy, in which the broker refused a row while it
    /// could take others; then the row is set aside (<see cref="SetAsideOutboxMessage"/>), so that it
    /// never holds up the rows behind it.
    /// </summary>
    private const int RefusalsBeforeSetAside = 5;

    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Refusals so far of rows this process could not send, by sequence number.</summary>
    private readonly Dictionary<long, int> _refusals = [];

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
        var outcomes = await Task.WhenAll(due.Select(async message =>
        {
            // A send the broker neither confirms nor refuses in time counts as refused: one stuck row must not stop the round.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(SendTimeout);
            try
            {
                message.Deserialize(SystemTextJsonMessageSerializer.Instance);
                var endpoint = await bus.GetSendEndpoint(message.DestinationAddress!);
                await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, message.DestinationAddress), timeout.Token);
                return (message, Refusal: (Exception?)null);
            }
            catch (Exception refusal) when (!cancellationToken.IsCancellationRequested)
            {
                return (message, Refusal: refusal);
            }
        }));
        var sent = outcomes.Where(o => o.Refusal is null).Select(o => o.message).ToList();
        // Sent before the rows go: a crash in between sends again (at least once); consumers deduplicate by message id.
        db.RemoveRange(sent);
        foreach (var message in sent)
            _refusals.Remove(message.SequenceNumber);
        // A broker that went away refuses everything; that is not this row's fault.
        if (bus.CheckHealth().Status == BusHealthStatus.Healthy)
            foreach (var (message, refusal) in outcomes.Where(o => o.Refusal is not null))
                Refused(db, message, refusal!);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (sent.Count > 0)
            logger.Log(level, "Delivered {Count} {Kind} messages", sent.Count, kind);
        return sent.Count;
    }

    private void Refused(PayoutsDbContext db, OutboxMessage message, Exception refusal)
    {
        var refusals = _refusals[message.SequenceNumber] = _refusals.GetValueOrDefault(message.SequenceNumber) + 1;
        if (refusals < RefusalsBeforeSetAside)
        {
            logger.LogWarning("Outbox message {SequenceNumber} ({MessageType}) to {Destination} refused ({Refusals} of {Limit}): {Reason}",
                message.SequenceNumber, message.MessageType, message.DestinationAddress, refusals, RefusalsBeforeSetAside, refusal.Message);
            return;
        }
        _refusals.Remove(message.SequenceNumber);
        db.Remove(message);
        db.Add(SetAsideOutboxMessage.From(message, refusal, DateTime.UtcNow));
        logger.LogError("Outbox message {SequenceNumber} ({MessageType}) to {Destination} set aside in outbox_set_aside after {Refusals} refusals: {Reason}",
            message.SequenceNumber, message.MessageType, message.DestinationAddress, refusals, refusal.Message);
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
