using System.Collections.Concurrent;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Outbox rows whose messages were sent from memory after their commit: removed by
/// <see cref="OutboxDeliveryService"/> in batches, off the path of the message that sent them. A
/// row not yet removed when the process dies is swept and sent again (consumers drop the copy).
/// </summary>
public sealed class DeliveredOutboxRows
{
    private readonly ConcurrentQueue<long> _rows = new();

    public void Add(IEnumerable<long> sequenceNumbers)
    {
        foreach (var sequenceNumber in sequenceNumbers)
            _rows.Enqueue(sequenceNumber);
    }

    /// <summary>Up to <paramref name="max"/> rows to remove, taken off the queue.</summary>
    public List<long> Take(int max)
    {
        var taken = new List<long>(Math.Min(max, _rows.Count));
        while (taken.Count < max && _rows.TryDequeue(out var row))
            taken.Add(row);
        return taken;
    }
}
