using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Runs one pass of MassTransit's outbox for a received message, in one database transaction:
/// the first pass records the message in the inbox; a later pass locks that row and either consumes
/// the message (the consumer's changes and the messages it sends commit together) or delivers the
/// stored messages. A message whose inbox row says "consumed" is never consumed again.
/// </summary>
internal sealed class PayoutsOutboxContextFactory(PayoutsDbContext db, IServiceProvider provider) : IOutboxContextFactory<PayoutsDbContext>
{
    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "The outbox needs a MessageId on every message.");
        var continueProcessing = true;
        while (continueProcessing)
            continueProcessing = await PassAsync(context, options, next, messageId);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("outboxContextFactory").Add("provider", "payouts-ef-core");

    private async Task<bool> PassAsync<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next, Guid messageId)
        where T : class
    {
        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
        try
        {
            var inbox = await LockAsync(messageId, options.ConsumerId, context.CancellationToken);
            bool continueProcessing;
            if (inbox is null)
            {
                await SqlDialect.InsertInboxIfAbsentAsync(db, messageId, options.ConsumerId, DateTime.UtcNow, context.CancellationToken);
                continueProcessing = true;
            }
            else
            {
                inbox.LockId = NewId.NextGuid();
                inbox.ReceiveCount++;
                await db.SaveChangesAsync(context.CancellationToken);
                var outboxContext = new PayoutsOutboxConsumeContext<T>(context, options, provider, db, inbox);
                await next.Send(outboxContext);
                await db.SaveChangesAsync(context.CancellationToken);
                continueProcessing = outboxContext.ContinueProcessing;
            }
            await transaction.CommitAsync(context.CancellationToken);
            return continueProcessing;
        }
        catch
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            throw;
        }
    }

    private Task<InboxState?> LockAsync(Guid messageId, Guid consumerId, CancellationToken cancellationToken) =>
        SqlDialect.LockInbox(db, messageId, consumerId)
        .AsTracking()
        .SingleOrDefaultAsync(cancellationToken);
}
