using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// The consume context a consumer or the saga sees inside the outbox: what it sends or publishes is
/// written to <c>outbox_message</c> in the same transaction as its other changes, and delivered
/// from there only after that transaction committed.
/// </summary>
internal sealed class PayoutsOutboxConsumeContext<TMessage>(
    ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider, PayoutsDbContext db, InboxState inbox)
    : OutboxConsumeContextProxy<TMessage>(context, options, provider)
    where TMessage : class
{
    public override Guid? MessageId => inbox.MessageId;
    public override bool ContinueProcessing { get; set; } = true;
    public override bool IsMessageConsumed => inbox.Consumed.HasValue;
    public override bool IsOutboxDelivered => inbox.Delivered.HasValue;
    public override int ReceiveCount => inbox.ReceiveCount;
    public override long? LastSequenceNumber => inbox.LastSequenceNumber;

    public override async Task SetConsumed()
    {
        inbox.Consumed = DateTime.UtcNow;
        await db.SaveChangesAsync(CancellationToken);
    }

    public override async Task SetDelivered()
    {
        inbox.Delivered = DateTime.UtcNow;
        await db.SaveChangesAsync(CancellationToken);
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
        var after = LastSequenceNumber ?? 0;
        var messages = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.InboxMessageId == inbox.MessageId && m.InboxConsumerId == ConsumerId && m.SequenceNumber > after)
            .OrderBy(m => m.SequenceNumber)
            .Take(Options.MessageDeliveryLimit + 1)
            .ToListAsync(CancellationToken);
        foreach (var message in messages)
            message.Deserialize(SerializerContext);
        return [.. messages];
    }

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message)
    {
        inbox.LastSequenceNumber = message.SequenceNumber;
        return Task.CompletedTask;
    }

    public override async Task RemoveOutboxMessages()
    {
        await db.Set<OutboxMessage>()
            .Where(m => m.InboxMessageId == inbox.MessageId && m.InboxConsumerId == ConsumerId)
            .ExecuteDeleteAsync(CancellationToken);
    }

    public override Task AddSend<T>(SendContext<T> context)
    {
        var message = OutboxMessage.From(context, SerializerContext, DateTime.UtcNow);
        // A scheduled message belongs to no inbox row: the delivery service sends it when due.
        if (message.EnqueueTime is null)
        {
            message.InboxMessageId = inbox.MessageId;
            message.InboxConsumerId = ConsumerId;
        }
        db.Set<OutboxMessage>().Add(message);
        return Task.CompletedTask;
    }
}
