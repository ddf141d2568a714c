using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>How <see cref="InboxState"/> maps onto <c>inbox_state</c> (Migrations/*/0002_inbox_outbox.sql).</summary>
internal sealed class InboxStateMap : IEntityTypeConfiguration<InboxState>
{
    public void Configure(EntityTypeBuilder<InboxState> inbox)
    {
        inbox.ToTable("inbox_state");
        inbox.HasKey(x => new { x.MessageId, x.ConsumerId });
        inbox.Property(x => x.MessageId).HasColumnName("message_id");
        inbox.Property(x => x.ConsumerId).HasColumnName("consumer_id");
        inbox.Property(x => x.LockId).HasColumnName("lock_id").IsConcurrencyToken();
        inbox.Property(x => x.Received).HasColumnName("received");
        inbox.Property(x => x.ReceiveCount).HasColumnName("receive_count");
        inbox.Property(x => x.Consumed).HasColumnName("consumed");
        inbox.Property(x => x.Delivered).HasColumnName("delivered");
        inbox.Property(x => x.LastSequenceNumber).HasColumnName("last_sequence_number");
    }
}

/// <summary>How <see cref="OutboxMessage"/> maps onto <c>outbox_message</c> (Migrations/*/0002_inbox_outbox.sql).</summary>
internal sealed class OutboxMessageMap : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> message)
    {
        message.ToTable("outbox_message");
        message.HasKey(x => x.SequenceNumber);
        message.Property(x => x.SequenceNumber).HasColumnName("sequence_number").ValueGeneratedOnAdd();
        message.Property(x => x.EnqueueTime).HasColumnName("enqueue_time");
        message.Property(x => x.SentTime).HasColumnName("sent_time");
        message.Property(x => x.HeadersJson).HasColumnName("headers");
        message.Property(x => x.PropertiesJson).HasColumnName("properties");
        message.Property(x => x.InboxMessageId).HasColumnName("inbox_message_id");
        message.Property(x => x.InboxConsumerId).HasColumnName("inbox_consumer_id");
        message.Property(x => x.MessageId).HasColumnName("message_id");
        message.Property(x => x.ContentType).HasColumnName("content_type");
        message.Property(x => x.MessageType).HasColumnName("message_type");
        message.Property(x => x.Body).HasColumnName("body");
        message.Property(x => x.ConversationId).HasColumnName("conversation_id");
        message.Property(x => x.CorrelationId).HasColumnName("correlation_id");
        message.Property(x => x.InitiatorId).HasColumnName("initiator_id");
        message.Property(x => x.RequestId).HasColumnName("request_id");
        message.Property(x => x.SourceAddress).HasColumnName("source_address").HasConversion<string?>();
        message.Property(x => x.DestinationAddress).HasColumnName("destination_address").HasConversion<string?>();
        message.Property(x => x.ResponseAddress).HasColumnName("response_address").HasConversion<string?>();
        message.Property(x => x.FaultAddress).HasColumnName("fault_address").HasConversion<string?>();
        message.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
    }
}
