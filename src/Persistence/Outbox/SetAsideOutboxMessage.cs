using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// A stored message the broker kept refusing while it took the others, moved out of the outbox so
/// that it can never hold up the messages behind it. Kept whole, with the reason, for an operator
/// to read, fix and send again; counted on the dashboard and in <c>payouts.outbox.set_aside</c>.
/// </summary>
public sealed class SetAsideOutboxMessage
{
    public long SequenceNumber { get; init; }
    public Guid MessageId { get; init; }
    public required string MessageType { get; init; }
    public Uri? DestinationAddress { get; init; }
    public string? HeadersJson { get; init; }
    public required string Body { get; init; }
    public required string Reason { get; init; }
    public DateTime SetAsideAt { get; init; }

    public static SetAsideOutboxMessage From(OutboxMessage message, Exception refusal, DateTime now)
    {
        var reason = $"{refusal.GetType().Name}: {refusal.Message}";
        return new()
        {
            SequenceNumber = message.SequenceNumber,
            MessageId = message.MessageId,
            MessageType = message.MessageType,
            DestinationAddress = message.DestinationAddress,
            HeadersJson = message.HeadersJson,
            Body = message.Body,
            Reason = reason.Length > 2000 ? reason[..2000] : reason,
            SetAsideAt = now,
        };
    }
}

/// <summary>How <see cref="SetAsideOutboxMessage"/> maps onto <c>outbox_set_aside</c> (Migrations/*/0011_outbox_set_aside.sql).</summary>
internal sealed class SetAsideOutboxMessageMap : IEntityTypeConfiguration<SetAsideOutboxMessage>
{
    public void Configure(EntityTypeBuilder<SetAsideOutboxMessage> message)
    {
        message.ToTable("outbox_set_aside");
        message.HasKey(x => x.SequenceNumber);
        message.Property(x => x.SequenceNumber).HasColumnName("sequence_number").ValueGeneratedNever();
        message.Property(x => x.MessageId).HasColumnName("message_id");
        message.Property(x => x.MessageType).HasColumnName("message_type");
        message.Property(x => x.DestinationAddress).HasColumnName("destination_address").HasConversion<string?>();
        message.Property(x => x.HeadersJson).HasColumnName("headers");
        message.Property(x => x.Body).HasColumnName("body");
        message.Property(x => x.Reason).HasColumnName("reason");
        message.Property(x => x.SetAsideAt).HasColumnName("set_aside_at");
    }
}
