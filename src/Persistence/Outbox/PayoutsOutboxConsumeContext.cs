using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// The consume context a consumer or the saga sees inside the outbox: what it sends or publishes is
/// written to <c>outbox_message</c> in the same transaction as its other changes, and delivered
/// only after that transaction committed: from memory right after the commit, or from the table
/// when the message is received again before its rows were removed.
/// </summary>
internal sealed class PayoutsOutboxConsumeContext<TMessage>(
    ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider, PayoutsDbContext db, InboxState inbox,
    DeliveredOutboxRows delivered)
    : OutboxConsumeContextProxy<TMessage>(new OwnHeadersConsumeContext<TMessage>(context), options, provider)
    where TMessage : class
{
    private readonly List<OutboxMessage> _sent = [];
    private readonly InternalMessageSignature? _signature = provider.GetService<InternalMessageSignature>();
    private bool _inMemory;
    private bool _deliveredFromMemory;
    private long? _lastDelivered;

    public override Guid? MessageId => inbox.MessageId;
    public override bool ContinueProcessing { get; set; } = true;
    public override bool IsMessageConsumed => inbox.Consumed.HasValue;
    public override bool IsOutboxDelivered => _inMemory ? _deliveredFromMemory : inbox.Delivered.HasValue;
    public override int ReceiveCount => inbox.ReceiveCount;
    public override long? LastSequenceNumber => _inMemory ? _lastDelivered : inbox.LastSequenceNumber;

    /// <summary>The consume transaction committed: from now on this context delivers what was sent, from memory.</summary>
    public void Committed()
    {
        _inMemory = true;
        foreach (var message in _sent)
            message.Deserialize(SerializerContext);
        delivered.Sending(_sent.Select(m => m.SequenceNumber));
        // Nothing to deliver: consumed and delivered in the one commit.
        _deliveredFromMemory = _sent.Count == 0;
    }

    /// <summary>Sending from memory failed: the rows are left to a retry from the table, or to the sweep.</summary>
    public void Abandoned() => delivered.Forget(_sent.Select(m => m.SequenceNumber));

    public override async Task SetConsumed()
    {
        // Saved here, with the consumer's changes and what it sent, so that a save the database
        // refuses is the consumer's failure: MassTransit then publishes a typed Fault<T>.
        inbox.Consumed = DateTime.UtcNow;
        if (_sent.Count == 0)
            inbox.Delivered = inbox.Consumed;
        await db.SaveChangesAsync(CancellationToken);
    }

    public override async Task SetDelivered()
    {
        if (_inMemory)
        {
            _deliveredFromMemory = true;
            delivered.Sent(_sent.Select(m => m.SequenceNumber));
            return;
        }
        inbox.Delivered = DateTime.UtcNow;
        await db.SaveChangesAsync(CancellationToken);
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
        if (_inMemory)
            return [.. _sent];
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
        if (_inMemory)
            _lastDelivered = message.SequenceNumber;
        else
            inbox.LastSequenceNumber = message.SequenceNumber;
        return Task.CompletedTask;
    }

    public override async Task RemoveOutboxMessages()
    {
        // From memory, the rows go in the next batch (SetDelivered queued them).
        if (_inMemory)
            return;
        await db.Set<OutboxMessage>()
            .Where(m => m.InboxMessageId == inbox.MessageId && m.InboxConsumerId == ConsumerId)
            .ExecuteDeleteAsync(CancellationToken);
    }

    public override Task AddSend<T>(SendContext<T> context)
    {
        var message = OutboxMessage.From(context, SerializerContext, DateTime.UtcNow, _signature);
        // A scheduled message belongs to no inbox row: the delivery service sends it when due.
        if (message.EnqueueTime is null)
        {
            message.InboxMessageId = inbox.MessageId;
            message.InboxConsumerId = ConsumerId;
            _sent.Add(message);
        }
        db.Set<OutboxMessage>().Add(message);
        return Task.CompletedTask;
    }
}
