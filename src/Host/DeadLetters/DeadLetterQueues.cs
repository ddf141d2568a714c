using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Payouts.Bus.Consumers;
using Payouts.Bus.Host.Batches;
using Payouts.Bus.Sagas;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Payouts.Bus.Host.DeadLetters;

/// <summary>One <c>_error</c> queue: what it holds, and the queue its messages came from.</summary>
public sealed record DeadLetterQueue(string Name, string SourceQueue, long Messages);

/// <summary>A message set aside in an <c>_error</c> queue, as an operator needs it to decide what to do.</summary>
public sealed record DeadLetter(
    string Queue,
    string? MessageId,
    string? MessageType,
    Guid? PayoutId,
    string? ExceptionType,
    string? Reason,
    DateTime? FailedAt,
    double? AgeSeconds,
    int BodyBytes);

/// <summary>A dead letter with every header and its body (the first 64 KB, as text).</summary>
public sealed record DeadLetterDetail(DeadLetter Letter, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// The processor's <c>_error</c> queues on RabbitMQ, read and worked over AMQP with the processor's
/// own credentials (no management plugin needed). Reading takes messages without acknowledging them
/// and hands them back in order, so listing changes nothing. Replaying publishes a message, as it
/// was, to the queue it failed on (with publisher confirms) and only then removes it: a crash between
/// the two replays it twice, and the inbox (or the payout's idempotency) drops the second.
/// Only the processor's own queues are named: a caller cannot point these tools at any other queue.
/// </summary>
public sealed class DeadLetterQueues(IConfiguration configuration, IOptions<BusOptions> bus, TimeProvider clock)
{
    /// <summary>How many messages one look at a queue reads at most, to find one message or to list.</summary>
    public const int MaxScan = 10_000;

    private const int MaxBodyShown = 64 * 1024;

    /// <summary>Every queue the processor consumes: the saga's, each provider consumer's, and the batches'.</summary>
    public static readonly IReadOnlyList<string> SourceQueues =
        [PayoutStateMachineDefinition.QueueName, .. ConsumersRegistrationExtensions.QueueNames, KebabCaseEndpointNameFormatter.Instance.Consumer<RequestPayoutBatchConsumer>()];

    public static bool IsKnown(string queue) => SourceQueues.Any(q => ErrorQueueOf(q) == queue);

    private static string ErrorQueueOf(string source) => source + "_error";

    /// <summary>Whether the tools can work: dead letters are kept by the broker, so only on RabbitMQ.</summary>
    public bool Available => bus.Value.Transport == BusOptions.RabbitMq;

    public async Task<IReadOnlyList<DeadLetterQueue>> QueuesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        var queues = new List<DeadLetterQueue>();
        foreach (var source in SourceQueues)
            queues.Add(new DeadLetterQueue(ErrorQueueOf(source), source, await CountAsync(connection, ErrorQueueOf(source), cancellationToken)));
        return queues;
    }

    /// <summary>The first <paramref name="limit"/> messages of <paramref name="queue"/>, oldest first, left where they are.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string queue, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        if (await CountAsync(connection, queue, cancellationToken) == 0)
            return [];
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var letters = new List<DeadLetter>();
        ulong last = 0;
        while (letters.Count < Math.Min(limit, MaxScan) && await GetAsync(channel, queue, cancellationToken) is { } message)
        {
            last = message.DeliveryTag;
            letters.Add(Describe(queue, message));
        }
        await HandBackAsync(channel, last, cancellationToken);
        return letters;
    }

    public async Task<DeadLetterDetail?> ShowAsync(string queue, string messageId, CancellationToken cancellationToken)
    {
        DeadLetterDetail? found = null;
        await FindAsync(queue, messageId, (_, message) =>
        {
            found = new DeadLetterDetail(Describe(queue, message), Headers(message.BasicProperties),
                Encoding.UTF8.GetString(message.Body.Span[..Math.Min(message.Body.Length, MaxBodyShown)]));
            return Task.FromResult(false);
        }, cancellationToken);
        return found;
    }

    /// <summary>Replays one message (by id) or, with a null id, every message the queue held when asked. Returns how many.</summary>
    public Task<int> ReplayAsync(string queue, string? messageId, CancellationToken cancellationToken) =>
        messageId is null
            ? EachAsync(queue, ReplayTo(queue), cancellationToken)
            : FindAsync(queue, messageId, ReplayTo(queue), cancellationToken);

    /// <summary>Removes one message (by id) or, with a null id, every message. Returns how many.</summary>
    public async Task<int> PurgeAsync(string queue, string? messageId, CancellationToken cancellationToken)
    {
        if (messageId is not null)
            return await FindAsync(queue, messageId, (_, _) => Task.FromResult(true), cancellationToken);
        await using var connection = await ConnectAsync(cancellationToken);
        if (await CountAsync(connection, queue, cancellationToken) == 0)
            return 0;
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return (int)await channel.QueuePurgeAsync(queue, cancellationToken);
    }

    /// <summary>Publishes the message, as it was, to the queue its error queue belongs to (whatever its headers claim).</summary>
    private static Func<IChannel, BasicGetResult, Task<bool>> ReplayTo(string errorQueue) => async (channel, message) =>
    {
        var source = SourceQueues.Single(q => ErrorQueueOf(q) == errorQueue);
        var properties = new BasicProperties(message.BasicProperties)
        {
            // The failure's own headers described that attempt; the next one starts clean.
            Headers = message.BasicProperties.Headers?
                .Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != MessageHeaders.Reason)
                .ToDictionary(h => h.Key, h => h.Value),
        };
        await channel.BasicPublishAsync("", source, mandatory: true, properties, message.Body);
        return true;
    };

    /// <summary>
    /// Looks through <paramref name="queue"/> for <paramref name="messageId"/>; <paramref name="act"/>
    /// says whether the message is done with (acknowledged) or stays. Everything else is handed back.
    /// </summary>
    private async Task<int> FindAsync(string queue, string messageId, Func<IChannel, BasicGetResult, Task<bool>> act, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        if (await CountAsync(connection, queue, cancellationToken) == 0)
            return 0;
        await using var channel = await connection.CreateChannelAsync(Confirmed, cancellationToken);
        ulong last = 0;
        var done = 0;
        for (var scanned = 0; scanned < MaxScan && await GetAsync(channel, queue, cancellationToken) is { } message; scanned++)
        {
            last = message.DeliveryTag;
            if (message.BasicProperties.MessageId != messageId && MessageIdInBody(message) != messageId)
                continue;
            if (await act(channel, message))
            {
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
                done = 1;
            }
            break;
        }
        await HandBackAsync(channel, last, cancellationToken);
        return done;
    }

    /// <summary>Acts on every message the queue holds now (not on any that come back to it meanwhile).</summary>
    private async Task<int> EachAsync(string queue, Func<IChannel, BasicGetResult, Task<bool>> act, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        var held = await CountAsync(connection, queue, cancellationToken);
        await using var channel = await connection.CreateChannelAsync(Confirmed, cancellationToken);
        var done = 0;
        for (var i = 0; i < held && await GetAsync(channel, queue, cancellationToken) is { } message; i++)
        {
            if (!await act(channel, message))
                continue;
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            done++;
        }
        // Anything not acted on goes back to the queue when the channel closes.
        return done;
    }

    /// <summary>Publishes wait for the broker's confirmation; an unroutable one (its queue gone) fails instead of vanishing.</summary>
    private static readonly CreateChannelOptions Confirmed = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private static Task<BasicGetResult?> GetAsync(IChannel channel, string queue, CancellationToken cancellationToken) =>
        channel.BasicGetAsync(queue, autoAck: false, cancellationToken);

    /// <summary>Everything taken and not acknowledged goes back to the queue, in its order.</summary>
    private static async Task HandBackAsync(IChannel channel, ulong last, CancellationToken cancellationToken)
    {
        if (last > 0)
            await channel.BasicNackAsync(last, multiple: true, requeue: true, cancellationToken);
    }

    /// <summary>
    /// Messages in a queue; 0 for a queue not made yet (nothing has failed there since the broker was
    /// set up), which every operation asks first: reading a missing queue would fail the channel.
    /// </summary>
    private static async Task<long> CountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // Asking for a missing queue closes the channel: one channel per question.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!Available)
            throw new InvalidOperationException("Dead-letter tools need Bus:Transport RabbitMq: the in-memory bus keeps no dead letters beyond its process.");
        var url = configuration.GetConnectionString(BusOptions.ConnectionStringName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{BusOptions.ConnectionStringName} is not set.");
        var factory = new ConnectionFactory { Uri = new Uri(url), ClientProvidedName = "payouts-bus dead-letter tools" };
        return await factory.CreateConnectionAsync(cancellationToken);
    }

    private DeadLetter Describe(string queue, BasicGetResult message)
    {
        var properties = message.BasicProperties;
        var failedAt = DateTime.TryParse(Header(properties, MessageHeaders.FaultTimestamp), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTime?)null;
        var envelope = Envelope(message);
        return new DeadLetter(
            queue,
            properties.MessageId ?? envelope?.MessageId,
            Header(properties, MessageHeaders.FaultMessageType) ?? envelope?.MessageType,
            envelope?.PayoutId,
            Header(properties, MessageHeaders.FaultExceptionType),
            Header(properties, MessageHeaders.FaultMessage) ?? Header(properties, MessageHeaders.Reason),
            failedAt,
            failedAt is { } t ? Math.Round((clock.GetUtcNow().UtcDateTime - t).TotalSeconds, 1) : null,
            message.Body.Length);
    }

    private sealed record EnvelopeFacts(string? MessageId, string? MessageType, Guid? PayoutId);

    /// <summary>What a MassTransit envelope or a plain JSON command says of itself; null for a body that is not JSON.</summary>
    private static EnvelopeFacts? Envelope(BasicGetResult message)
    {
        try
        {
            using var json = JsonDocument.Parse(message.Body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            var root = json.RootElement;
            var inner = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : root;
            var type = root.TryGetProperty("messageType", out var t) && t.ValueKind == JsonValueKind.Array && t.GetArrayLength() > 0 ? t[0].GetString() : null;
            return new EnvelopeFacts(Text(root, "messageId"), type, PayoutIdIn(inner));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? MessageIdInBody(BasicGetResult message) => Envelope(message)?.MessageId;

    /// <summary>The payout a message is about: its <c>payoutId</c>, a nested <c>payout.payoutId</c>, or a saga message's <c>correlationId</c>.</summary>
    private static Guid? PayoutIdIn(JsonElement message)
    {
        foreach (var candidate in new[] { message, message.TryGetProperty("payout", out var p) ? p : default })
        {
            if (candidate.ValueKind != JsonValueKind.Object)
                continue;
            foreach (var name in new[] { "payoutId", "correlationId" })
                if (Text(candidate, name) is { } text && Guid.TryParse(text, out var id))
                    return id;
        }
        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers?.TryGetValue(name, out var value) == true ? HeaderText(value) : null;

    private static Dictionary<string, string> Headers(IReadOnlyBasicProperties properties) =>
        (properties.Headers ?? new Dictionary<string, object?>()).ToDictionary(h => h.Key, h => HeaderText(h.Value) ?? "");

    private static string? HeaderText(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime).ToString("O"),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
