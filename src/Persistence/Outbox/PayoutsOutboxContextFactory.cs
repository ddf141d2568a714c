using System.Diagnostics;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Runs MassTransit's outbox for a received message with one database transaction: the inbox row
/// is recorded (or found and locked), the consumer or saga runs, and its changes, the messages it
/// sends and the timers it sets commit together with the row marked consumed. The messages then go
/// out from memory, and their rows are removed later in batches (<see cref="DeliveredOutboxRows"/>).
/// A redelivered message finds its row consumed and is not consumed again; what it sent that is
/// still stored (a crash between commit and send) is sent again from the database, and rows left
/// by a process that died are swept by <see cref="OutboxDeliveryService"/>.
/// </summary>
internal sealed class PayoutsOutboxContextFactory(PayoutsDbContext db, IServiceProvider provider, DeliveredOutboxRows delivered)
    : IOutboxContextFactory<PayoutsDbContext>
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "The outbox needs a MessageId on every message.");

        var consumed = await ConsumeAsync(context, options, next, messageId);
        if (consumed is not null)
        {
            // Fresh: deliver what the consumer sent from memory, then finish without the database.
            try
            {
                while (consumed.ContinueProcessing)
                    await next.Send(consumed);
            }
            catch
            {
                // A retry sends them from the table; until then they are no longer in our hands.
                consumed.Abandoned();
                throw;
            }
            return;
        }

        // Seen before: deliver whatever is still stored for it, one short transaction per pass.
        var more = true;
        while (more)
            more = await StoredPassAsync(context, options, next, messageId);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("outboxContextFactory").Add("provider", "payouts-ef-core");

    /// <summary>The one transaction: record or lock the inbox row and, unless it was consumed before, consume.</summary>
    /// <returns>The context to deliver from memory, or null when the message had been consumed before.</returns>
    private async Task<PayoutsOutboxConsumeContext<T>?> ConsumeAsync<T>(ConsumeContext<T> context, OutboxConsumeOptions options,
        IPipe<OutboxConsumeContext<T>> next, Guid messageId)
        where T : class
    {
        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        try
        {
            // New (the common case): inserted as this pass leaves it, and held until this transaction ends.
            var inbox = await SqlDialect.InsertInboxIfAbsentAsync(db, messageId, options.ConsumerId, DateTime.UtcNow, context.CancellationToken);
            if (inbox is null)
            {
                // Seen before, or being inserted by a racing delivery of the same message: the lock waits for that one.
                inbox = await SqlDialect.LockInbox(db, messageId, options.ConsumerId).AsTracking().SingleAsync(context.CancellationToken);
                inbox.LockId = NewId.NextGuid();
                inbox.ReceiveCount++;
            }
            if (inbox.Consumed.HasValue)
            {
                await db.SaveChangesAsync(context.CancellationToken);
                await transaction.CommitAsync(context.CancellationToken);
                return null;
            }
            var started = Stopwatch.GetTimestamp();
            var consuming = new PayoutsOutboxConsumeContext<T>(context, options, provider, db, inbox, delivered);
            await next.Send(consuming);
            try
            {
                await transaction.CommitAsync(context.CancellationToken);
            }
            catch (Exception exception)
            {
                // The consumer ran and its changes were saved, but they did not commit: its sender and
                // fault subscribers hear a typed Fault<T>, as when the consumer itself fails.
                await context.NotifyFaulted(context, Stopwatch.GetElapsedTime(started), TypeCache<T>.ShortName, exception);
                throw;
            }
            consuming.Committed();
            return consuming;
        }
        catch
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            throw;
        }
    }

    private async Task<bool> StoredPassAsync<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next, Guid messageId)
        where T : class
    {
        // The inbox row as the database has it now, not as an earlier pass left it in the change tracker.
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        try
        {
            var inbox = await LockOrInsertAsync(messageId, options.ConsumerId, context.CancellationToken);
            var outboxContext = new PayoutsOutboxConsumeContext<T>(context, options, provider, db, inbox, delivered);
            await next.Send(outboxContext);
            await db.SaveChangesAsync(context.CancellationToken);
            await transaction.CommitAsync(context.CancellationToken);
            return outboxContext.ContinueProcessing;
        }
        catch
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            throw;
        }
    }

    private async Task<InboxState> LockOrInsertAsync(Guid messageId, Guid consumerId, CancellationToken cancellationToken)
    {
        // A stored pass finds the row the consuming pass left (the lock waits for a pass still running);
        // should it have been removed since, it is inserted again.
        return await SqlDialect.InsertInboxIfAbsentAsync(db, messageId, consumerId, DateTime.UtcNow, cancellationToken)
            ?? await SqlDialect.LockInbox(db, messageId, consumerId).AsTracking().SingleAsync(cancellationToken);
    }
}
