using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// The message being consumed as the outbox passes it on: with MassTransit's own headers (<c>MT-</c>:
/// fault details, redelivery count, trace context) and none of its sender's. MassTransit copies every
/// header of a consumed message onto whatever its consumer sends, when the message is captured and
/// again when it is delivered; a client's headers are not the processor's to repeat (one client's
/// 200 KB header once made every message the saga sent too large for the broker).
/// </summary>
internal sealed class OwnHeadersConsumeContext<TMessage>(ConsumeContext<TMessage> context) : ConsumeContextProxy<TMessage>(context)
    where TMessage : class
{
    public override Headers Headers { get; } = new DictionarySendHeaders(context.Headers.GetAll()
        .Where(h => h.Key.StartsWith("MT-", StringComparison.Ordinal))
        .ToDictionary(h => h.Key, h => (object?)h.Value));
}
