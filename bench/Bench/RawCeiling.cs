using System.Diagnostics;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Payouts.Bus.Bench;

/// <summary>
/// A raw ceiling: for the same number of payouts, a given number of persistent broker messages
/// (each publish awaits its confirm, each delivery is acknowledged) and of single-row database
/// commits per payout, done with RabbitMQ.Client and Npgsql alone, at the same concurrency. The two
/// run side by side, as they do in the processor.
/// </summary>
public static class RawCeiling
{
    /// <summary>
    /// The least a durable payout needs: request, submit, provider's answer, provider's final word,
    /// terminal event, each a confirmed message and a commit.
    /// </summary>
    public const double ReferenceMessagesPerPayout = 5;
    public const double ReferenceCommitsPerPayout = 5;

    private const string Queue = "raw-ceiling";

    // About the size of a MassTransit envelope carrying one of our messages.
    private static readonly byte[] Body = new byte[1500];

    public static async Task<CeilingResult> RunAsync(BenchOptions options, double messagesPerPayout, double commitsPerPayout)
    {
        var messages = (long)Math.Round(messagesPerPayout * options.Payouts);
        var commits = (long)Math.Round(commitsPerPayout * options.Payouts);
        var workers = Math.Min(options.InFlight, 64);
        await using var database = await BenchDatabase.CreateAsync(options.Postgres!, "payouts_ceiling");
        await using (var setup = new NpgsqlConnection(database.ConnectionString))
        {
            await setup.OpenAsync();
            await using var table = new NpgsqlCommand("CREATE TABLE payout (id bigint PRIMARY KEY, version int NOT NULL, body text NOT NULL)", setup);
            await table.ExecuteNonQueryAsync();
        }

        var factory = new ConnectionFactory { Uri = new Uri(options.RabbitMq!) };
        await using var connection = await factory.CreateConnectionAsync();
        await using (var declare = await connection.CreateChannelAsync())
            await declare.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        var consumed = await ConsumeAsync(connection, messages);

        var done = 0L;
        using var progress = Progress.Start(() => $"raw ceiling: {Interlocked.Read(ref done)}/{messages + commits} messages and commits");
        var clock = Stopwatch.StartNew();
        var publishing = Enumerable.Range(0, workers).Select(w => PublishAsync(connection, Share(messages, workers, w), () => Interlocked.Increment(ref done)));
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var committing = Enumerable.Range(0, workers).Select(w => CommitAsync(dataSource, w, Share(commits, workers, w), () => Interlocked.Increment(ref done)));
        await Task.WhenAll(publishing.Concat(committing).Append(consumed.Task));
        clock.Stop();
        progress.Stop();
        return new CeilingResult(options.Payouts, messages, commits, workers, clock.Elapsed);
    }

    private static long Share(long total, int workers, int worker) => total / workers + (worker < total % workers ? 1 : 0);

    private static async Task PublishAsync(IConnection connection, long count, Action published)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        for (var i = 0; i < count; i++)
        {
            await channel.BasicPublishAsync("", Queue, mandatory: true, properties, Body);
            published();
        }
    }

    private static async Task<TaskCompletionSource> ConsumeAsync(IConnection connection, long expected)
    {
        var allConsumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (expected == 0)
        {
            allConsumed.SetResult();
            return allConsumed;
        }
        var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, 64, global: false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        var received = 0L;
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            if (Interlocked.Increment(ref received) == expected)
                allConsumed.TrySetResult();
        };
        await channel.BasicConsumeAsync(Queue, autoAck: false, consumer);
        return allConsumed;
    }

    /// <summary>One row per payout of this worker, written once and then updated, one transaction each time.</summary>
    private static async Task CommitAsync(NpgsqlDataSource dataSource, int worker, long count, Action committed)
    {
        for (var i = 0L; i < count; i++)
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var write = new NpgsqlCommand(
                "INSERT INTO payout (id, version, body) VALUES (@id, 1, @body) ON CONFLICT (id) DO UPDATE SET version = payout.version + 1, body = excluded.body",
                connection, transaction);
            write.Parameters.AddWithValue("id", worker * 1_000_000L + i / 8);
            write.Parameters.AddWithValue("body", $"payout state after step {i}");
            await write.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            committed();
        }
    }
}

public sealed record CeilingResult(int Payouts, long Messages, long Commits, int Workers, TimeSpan Elapsed)
{
    public double PayoutsPerSecond => Payouts / Elapsed.TotalSeconds;

    public void Print(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"{title}, RabbitMQ.Client + Npgsql");
        Console.WriteLine($"  work              {Messages} confirmed persistent messages consumed and {Commits} commits, {Workers} workers, in {Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"  throughput        {PayoutsPerSecond:F1} payouts/s ({Messages / Elapsed.TotalSeconds:F0} messages/s and {Commits / Elapsed.TotalSeconds:F0} commits/s)");
    }
}
