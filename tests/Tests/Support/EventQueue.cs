using System.Collections.Concurrent;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// A subscriber as the README describes one, with RabbitMQ.Client alone: its own queue bound to one
/// event exchange, keeping every delivery's body and transport headers.
/// </summary>
public sealed class EventQueue : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();

    private EventQueue(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public sealed record Delivery(string Body, IDictionary<string, object?> Headers);

    public static async Task<EventQueue> BindAsync(string brokerUrl, string exchange)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(brokerUrl) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var events = new EventQueue(connection, channel);
        // Declared as the processor declares it (fanout, durable): declaring again is harmless.
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync(exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            events._deliveries.Enqueue(new Delivery(Encoding.UTF8.GetString(delivery.Body.Span),
                delivery.BasicProperties.Headers ?? new Dictionary<string, object?>()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return events;
    }

    /// <summary>The first delivery whose body contains <paramref name="text"/>, waiting for it with a deadline.</summary>
    public async Task<Delivery> FirstContainingAsync(string text) =>
        (await Eventually.Until(() => Task.FromResult(_deliveries.FirstOrDefault(d => d.Body.Contains(text, StringComparison.Ordinal))),
            d => d is not null, $"an event containing {text}"))!;

    /// <summary>The deliveries so far whose body contains <paramref name="text"/>.</summary>
    public IReadOnlyList<Delivery> Containing(string text) => _deliveries.Where(d => d.Body.Contains(text, StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
