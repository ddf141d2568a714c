using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using MassTransit.Context;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// A message sent by a transition, stored with it: the serialized envelope and everything needed to
/// send it again exactly as it was (<see cref="OutboxMessageSendPipe"/> re-sends it).
/// </summary>
public sealed class OutboxMessage : OutboxMessageContext
{
    private Headers? _headers;
    private IReadOnlyDictionary<string, object>? _properties;

    public long SequenceNumber { get; set; }
    /// <summary>Set for scheduled messages: when they are due.</summary>
    public DateTime? EnqueueTime { get; set; }
    public DateTime SentTime { get; set; }
    public string? HeadersJson { get; set; }
    public string? PropertiesJson { get; set; }
    public Guid? InboxMessageId { get; set; }
    public Guid? InboxConsumerId { get; set; }
    public Guid MessageId { get; set; }
    public string ContentType { get; set; } = "";
    public string MessageType { get; set; } = "";
    public string Body { get; set; } = "";
    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public Guid? RequestId { get; set; }
    public Uri? SourceAddress { get; set; }
    public Uri? DestinationAddress { get; set; }
    public Uri? ResponseAddress { get; set; }
    public Uri? FaultAddress { get; set; }
    public DateTime? ExpirationTime { get; set; }

    Guid? MessageContext.MessageId => MessageId;
    DateTime? MessageContext.SentTime => SentTime;
    Headers MessageContext.Headers => _headers ?? throw new InvalidOperationException("Call Deserialize before sending a stored message.");
    HostInfo MessageContext.Host => MassTransit.Metadata.HostMetadataCache.Host;
    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? new Dictionary<string, object>();

    /// <summary>
    /// The stored message as a row: headers and transport properties as JSON; a delay becomes
    /// <see cref="EnqueueTime"/>. Internal messages are signed here, when their id is final.
    /// </summary>
    public static OutboxMessage From<T>(SendContext<T> context, IObjectDeserializer serializer, DateTime now, InternalMessageSignature? signature)
        where T : class
    {
        signature?.Sign(context);
        var message = new OutboxMessage
        {
            MessageId = context.MessageId ?? throw new MessageException(typeof(T), "The outbox needs a MessageId on every message."),
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress,
            DestinationAddress = context.DestinationAddress,
            ResponseAddress = context.ResponseAddress,
            FaultAddress = context.FaultAddress,
            SentTime = context.SentTime ?? now,
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            Body = context.Serializer.GetMessageBody(context).GetString(),
            ExpirationTime = context.TimeToLive is { } ttl ? now + ttl : null,
            EnqueueTime = context.Delay is { } delay ? now + delay : null,
            HeadersJson = serializer.SerializeDictionary(context.Headers.GetAll()),
        };
        if (context is TransportSendContext<T> transport)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transport.WritePropertiesTo(properties);
            // Our RabbitMQ has no delayed-exchange plugin: a stored delay would make the broker refuse
            // the message. The delivery service sends scheduled messages when due instead.
            properties.Remove("Delay");
            message.PropertiesJson = serializer.SerializeDictionary(properties);
        }
        return message;
    }

    /// <summary>Restores headers and properties before the message is sent again.</summary>
    public void Deserialize(IObjectDeserializer deserializer)
    {
        _headers = deserializer.DeserializeDictionary<object?>(HeadersJson) is { } headers
            ? new DictionarySendHeaders(headers)
            : new DictionarySendHeaders(new Dictionary<string, object?>());
        _properties = deserializer.DeserializeDictionary<object>(PropertiesJson) ?? new Dictionary<string, object>();
    }
}
