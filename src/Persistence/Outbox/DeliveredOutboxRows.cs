using System.Collections.Concurrent;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Outbox rows whose messages this process sends from memory after their commit: known from the
/// commit, so that the sweep for rows a dead process left behind never sends them again, and
/// removed by <see cref="OutboxDeliveryService"/> in batches once sent, off the path of the message
/// that sent them. A row not yet removed when the process dies is swept and sent again (consumers
/// drop the copy).
/// </summary>
public sealed class DeliveredOutboxRows
{
    private readonly ConcurrentDictionary<long, byte> _sending = new();
    private readonly ConcurrentQueue<long> _sent = new();

    /// <summary>Committed, about to be sent from memory.</summary>
    public void Sending(IEnumerable<long> sequenceNumbers)
    {
        foreach (var sequenceNumber in sequenceNumbers)
            _sending[sequenceNumber] = 0;
    }

    /// <summary>Sent: their rows may go.</summary>
    public void Sent(IEnumerable<long> sequenceNumbers)
    {
        foreach (var sequenceNumber in sequenceNumbers)
            _sent.Enqueue(sequenceNumber);
    }

    /// <summary>Whether this process has the row's message in hand (being sent, or sent and not yet removed).</summary>
    public bool IsOurs(long sequenceNumber) => _sending.ContainsKey(sequenceNumber);

    /// <summary>Up to <paramref name="max"/> sent rows to remove, taken off the queue.</summary>
    public List<long> TakeSent(int max)
    {
        var taken = new List<long>(Math.Min(max, _sent.Count));
        while (taken.Count < max && _sent.TryDequeue(out var row))
            taken.Add(row);
        return taken;
    }

    /// <summary>The rows are gone from the table, or their removal failed and the rows stay for the sweep.</summary>
    public void Forget(IEnumerable<long> sequenceNumbers)
    {
        foreach (var sequenceNumber in sequenceNumbers)
            _sending.TryRemove(sequenceNumber, out _);
    }
}
