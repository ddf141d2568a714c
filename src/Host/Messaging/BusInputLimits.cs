using System.Net.Mime;
using System.Runtime.Serialization;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;

namespace Payouts.Bus.Host.Messaging;

/// <summary>
/// What the processor reads from the bus, bounded before it is trusted with anything: a body over
/// <see cref="MaxBodyBytes"/>, headers over <see cref="MaxHeaderBytes"/> or a content type it does
/// not read goes to the queue's <c>_error</c> with the reason, and the queue moves on. Without this,
/// one envelope with 200 KB of headers had them copied onto every message the saga sent, which the
/// broker refused, stalling the processor until its database was wiped.
/// </summary>
public static class BusInputLimits
{
    /// <summary>Commands and events are well under a kilobyte; a provider update with its raw status, a few.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>MassTransit's own headers and a trace context take well under 2 KB.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    /// <summary>The media types read: MassTransit's envelope, and plain JSON commands from clients without MassTransit.</summary>
    public static void UseBusInputLimits(this IBusFactoryConfigurator bus, bool plainJsonCommands)
    {
        bus.AddDeserializer(new Limited(new MassTransit.Configuration.SystemTextJsonMessageSerializerFactory()));
        if (plainJsonCommands)
            bus.AddDeserializer(new Limited(new PlainJsonCommandDeserializer.Factory()));
        // MassTransit reads a message with no or an unknown content type as its default type: ours refuses it.
        bus.AddDeserializer(new Unsupported(), isDefault: true);
    }

    private static void CheckBody(MessageBody body)
    {
        if (body.Length is > MaxBodyBytes)
            throw new SerializationException($"The message body holds {body.Length} bytes; at most {MaxBodyBytes} are read.");
    }

    private static void CheckHeaders(Headers headers)
    {
        long size = 0;
        foreach (var (key, value) in headers.GetAll())
            size += key.Length + value switch
            {
                null => 0,
                string text => text.Length,
                JsonElement json => json.GetRawText().Length,
                _ => value.ToString()?.Length ?? 0,
            };
        if (size > MaxHeaderBytes)
            throw new SerializationException($"The message headers hold about {size} bytes; at most {MaxHeaderBytes} are read.");
    }

    private sealed class Limited(ISerializerFactory inner) : ISerializerFactory
    {
        public ContentType ContentType => inner.ContentType;

        public IMessageSerializer CreateSerializer() => inner.CreateSerializer();

        public IMessageDeserializer CreateDeserializer() => new Deserializer(inner.CreateDeserializer());

        private sealed class Deserializer(IMessageDeserializer inner) : IMessageDeserializer
        {
            public ContentType ContentType => inner.ContentType;

            public ConsumeContext Deserialize(ReceiveContext receiveContext)
            {
                CheckBody(receiveContext.Body);
                CheckHeaders(receiveContext.TransportHeaders);
                var context = inner.Deserialize(receiveContext);
                CheckHeaders(context.Headers);
                return context;
            }

            public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
            {
                CheckBody(body);
                CheckHeaders(headers);
                return inner.Deserialize(body, headers, destinationAddress);
            }

            public MessageBody GetMessageBody(string text) => inner.GetMessageBody(text);

            public void Probe(ProbeContext context) => inner.Probe(context);
        }
    }

    private sealed class Unsupported : ISerializerFactory, IMessageDeserializer
    {
        public ContentType ContentType { get; } = new("application/x-payouts-unsupported");

        public IMessageSerializer CreateSerializer() => throw new NotSupportedException("Nothing is sent in an unsupported content type.");

        public IMessageDeserializer CreateDeserializer() => this;

        public ConsumeContext Deserialize(ReceiveContext receiveContext) => throw Refusal(receiveContext.ContentType);

        public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
            throw Refusal(headers.Get<string>(MessageHeaders.ContentType) is { } type ? new ContentType(type) : null);

        public MessageBody GetMessageBody(string text) => new StringMessageBody(text);

        public void Probe(ProbeContext context) => context.CreateScope("unsupported-content-type");

        private static SerializationException Refusal(ContentType? contentType) => new(
            $"Content type '{contentType?.MediaType ?? "(none)"}' is not read here: send {SystemTextJsonMessageSerializer.JsonContentType.MediaType} " +
            $"(a MassTransit envelope) or {SystemTextJsonRawMessageSerializer.JsonContentType.MediaType} (a plain JSON command).");
    }
}
