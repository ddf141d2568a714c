using System.Net.Mime;
using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using MassTransit;
using MassTransit.Serialization;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Host.Messaging;

/// <summary>
/// Reads <c>application/json</c> bodies: a command published by a client without MassTransit,
/// the message alone. Its type is the command exchange it came through (or its <c>MT-MessageType</c>
/// header, when set); only the commands of <see cref="BusEntityNames.PlainJsonCommands"/> are taken
/// this way, so that provider news and internal messages cannot be forged in plain JSON. Its id is
/// the AMQP <c>message_id</c> when that is a UUID; otherwise one derived from the body, so that a
/// redelivery of the same body is still recognised by the inbox. Anything else is refused to the
/// queue's <c>_error</c> with the reason.
/// </summary>
public sealed class PlainJsonCommandDeserializer : IMessageDeserializer
{
    private readonly SystemTextJsonRawMessageSerializer _raw = new(RawSerializerOptions.Default);

    public ContentType ContentType => _raw.ContentType;

    public void Probe(ProbeContext context) => _raw.Probe(context);

    public ConsumeContext Deserialize(ReceiveContext receiveContext)
    {
        var exchange = receiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var rabbit) ? rabbit.Exchange : null;
        var headers = CommandHeaders(receiveContext.TransportHeaders, exchange, receiveContext.Body);
        return new BodyConsumeContext(receiveContext, _raw.Deserialize(receiveContext.Body, headers, receiveContext.InputAddress));
    }

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
        _raw.Deserialize(body, CommandHeaders(headers, exchange: null, body), destinationAddress);

    public MessageBody GetMessageBody(string text) => _raw.GetMessageBody(text);

    private static DictionarySendHeaders CommandHeaders(Headers transport, string? exchange, MessageBody body)
    {
        var named = transport.Get<string>(MessageHeaders.MessageType);
        Type? command;
        if (!string.IsNullOrWhiteSpace(named))
        {
            command = BusEntityNames.PlainJsonCommands.Values.FirstOrDefault(t => BusEntityNames.MessageTypeOf(t) == named);
            if (command is null)
                throw new SerializationException(
                    $"A plain JSON message may only be one of {Commands()}; its {MessageHeaders.MessageType} header names '{named}'.");
        }
        else if (exchange is null || !BusEntityNames.PlainJsonCommands.TryGetValue(exchange, out command))
        {
            throw new SerializationException(
                $"A plain JSON message must be published to one of the command exchanges {Commands()}; this one came through '{exchange ?? "(none)"}'.");
        }

        var headers = new DictionarySendHeaders(transport.GetAll().ToDictionary(h => h.Key, h => (object?)h.Value));
        headers.Set(MessageHeaders.MessageType, BusEntityNames.MessageTypeOf(command));
        if (transport.GetMessageId() is null)
            headers.Set(MessageHeaders.MessageId, IdOf(transport.Get<string>(MessageHeaders.MessageId), body).ToString());
        return headers;
    }

    /// <summary>A stable id for a message whose publisher gave none that is a UUID.</summary>
    private static Guid IdOf(string? publisherId, MessageBody body)
    {
        var hash = string.IsNullOrEmpty(publisherId)
            ? SHA256.HashData(body.GetBytes())
            : SHA256.HashData(Encoding.UTF8.GetBytes(publisherId));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static string Commands() => string.Join(", ", BusEntityNames.PlainJsonCommands.Keys);

    public sealed class Factory : ISerializerFactory
    {
        public ContentType ContentType => SystemTextJsonRawMessageSerializer.JsonContentType;

        public IMessageSerializer CreateSerializer() => new SystemTextJsonRawMessageSerializer(RawSerializerOptions.Default);

        public IMessageDeserializer CreateDeserializer() => new PlainJsonCommandDeserializer();
    }
}
