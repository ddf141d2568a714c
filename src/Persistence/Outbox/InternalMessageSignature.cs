using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Defence in depth behind the broker's permissions: every internal message (provider news, the
/// saga's commands to providers, its timers, and their faults: <c>payouts.processing.…</c> and
/// <c>payouts.saga.…</c>) carries an HMAC-SHA256 of its type and message id under
/// <c>Bus:InternalMessageKey</c>, and is checked before anything consumes it. Without the key no
/// one can make a message id that passes; a copy of a signed message has an id the inbox already
/// consumed. A message that fails goes to <c>_error</c> with the reason and changes nothing.
/// Signed when the outbox stores a message (<see cref="OutboxMessage.From"/>), once its id is final,
/// and by a send observer as anything leaves for the broker (what MassTransit sends outside the outbox: faults).
/// </summary>
public sealed class InternalMessageSignature(byte[] key)
{
    public const string Header = "Payouts-Signature";

    /// <summary>Internal messages are ours only: their exchanges are <c>payouts.processing.…</c> and <c>payouts.saga.…</c> (faults included).</summary>
    public static bool IsInternal(Type type) =>
        BusEntityNames.NameOf(type) is { } name
        && (name.StartsWith("payouts.processing.", StringComparison.Ordinal) || name.StartsWith("payouts.saga.", StringComparison.Ordinal));

    public string Sign(Type type, Guid messageId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{MessageUrn.ForTypeString(type)}\n{messageId:N}")));

    /// <summary>Signs the message about to be sent, if it is internal.</summary>
    public void Sign<T>(SendContext<T> context)
        where T : class
    {
        if (InternalType<T>.Is && context.MessageId is { } id)
            context.Headers.Set(Header, Sign(typeof(T), id));
    }

    /// <summary>Whether a message type is internal, worked out once per type: every message the bus sends asks.</summary>
    private static class InternalType<T>
    {
        public static readonly bool Is = IsInternal(typeof(T));
    }

    public bool Verify(Type type, Guid? messageId, string? signature) =>
        messageId is { } id && signature is { Length: 64 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(type, id)), Encoding.ASCII.GetBytes(signature));
}
