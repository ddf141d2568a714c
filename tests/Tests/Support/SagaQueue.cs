using System.Text;
using RabbitMQ.Client;

namespace Payouts.Bus.Tests.Support;

/// <summary>The saga's queue as a client on the broker reaches it: raw messages in, what it set aside out of its <c>_error</c> queue.</summary>
public static class SagaQueue
{
    public const string MassTransitJson = "application/vnd.masstransit+json";

    /// <summary>Publishes a raw body straight to the saga's queue and returns the headers it has in payout-state_error.</summary>
    public static async Task<IDictionary<string, object?>> PublishAndReadFromErrorQueueAsync(string brokerUrl, string body, string marker,
        string? contentType = MassTransitJson, params (string Name, string Value)[] extraHeaders)
    {
        var factory = new ConnectionFactory { Uri = new Uri(brokerUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties
        {
            ContentType = contentType, MessageId = Guid.NewGuid().ToString(), Persistent = true,
            Headers = extraHeaders.ToDictionary(h => h.Name, h => (object?)h.Value),
        };
        await channel.BasicPublishAsync("", "payout-state", mandatory: true, properties, Encoding.UTF8.GetBytes(body));

        var deadLettered = await Eventually.Until(async () =>
        {
            // A fresh channel each time: until MassTransit creates the error queue, asking for it closes the channel.
            // Messages of other tests are left unacknowledged, and return to the queue when the channel closes.
            await using var probe = await connection.CreateChannelAsync();
            try
            {
                while (await probe.BasicGetAsync("payout-state_error", autoAck: false) is { } message)
                {
                    if (!Encoding.UTF8.GetString(message.Body.Span).Contains(marker, StringComparison.Ordinal))
                        continue;
                    await probe.BasicAckAsync(message.DeliveryTag, multiple: false);
                    return message;
                }
                return null;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return null;
            }
        }, m => m is not null, $"the message {marker} in payout-state_error");
        return deadLettered!.BasicProperties.Headers!;
    }

    public static string Header(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : $"<{name} missing: {string.Join(", ", headers.Keys)}>";
}
