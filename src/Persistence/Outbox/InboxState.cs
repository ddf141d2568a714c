namespace Payouts.Bus.Persistence.Outbox;

/// <summary>One message as one consumer received it: whether it was consumed, and how far its outgoing messages were delivered.</summary>
public sealed class InboxState
{
    public Guid MessageId { get; set; }
    public Guid ConsumerId { get; set; }
    /// <summary>Changed by every pass, so that two hosts working on one message conflict instead of both succeeding.</summary>
    public Guid LockId { get; set; }
    public DateTime Received { get; set; }
    public int ReceiveCount { get; set; }
    public DateTime? Consumed { get; set; }
    public DateTime? Delivered { get; set; }
    public long? LastSequenceNumber { get; set; }
}
