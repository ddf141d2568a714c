using System.Text.Json;

namespace Payouts.Bus.Host.DeadLetters;

/// <summary>
/// <c>dotnet run --project src/Host -- dead-letters list|show|replay|purge [--queue Q] [--id M | --all] [--yes]</c>,
/// against the configured broker. Purging asks for the queue's name to be typed back unless <c>--yes</c>.
/// </summary>
public static class DeadLetterCommands
{
    private const string Usage = """
        usage: dead-letters list [--queue Q] [--limit N]
               dead-letters show --queue Q --id M
               dead-letters replay --queue Q (--id M | --all)
               dead-letters purge --queue Q (--id M | --all) [--yes]
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var tools = services.GetRequiredService<DeadLetterQueues>();
        if (!tools.Available)
            return Fail(error, "dead-letter tools need Bus:Transport RabbitMq (and ConnectionStrings:RabbitMq): the in-memory bus keeps no dead letters beyond its process.");
        if (args.Length < 2 || !TryOptions(args[2..], out var queue, out var id, out var all, out var yes, out var limit))
            return Fail(error, Usage);
        if (queue is not null && !DeadLetterQueues.IsKnown(queue))
            return Fail(error, $"'{queue}' is not a dead-letter queue of the processor; they are: {string.Join(", ", DeadLetterQueues.SourceQueues.Select(q => q + "_error"))}");
        var cancellation = CancellationToken.None;

        switch (args[1])
        {
            case "list" when id is null && !all:
                foreach (var q in await tools.QueuesAsync(cancellation))
                {
                    if (queue is not null && q.Name != queue)
                        continue;
                    output.WriteLine($"{q.Name}\t{q.Messages} message(s)\t(replays to {q.SourceQueue})");
                    if (q.Messages == 0)
                        continue;
                    foreach (var l in await tools.ListAsync(q.Name, limit, cancellation))
                        output.WriteLine($"  {l.MessageId}\t{l.MessageType ?? "?"}\tpayout {l.PayoutId?.ToString() ?? "-"}\t" +
                            $"{(l.AgeSeconds is { } age ? $"{TimeSpan.FromSeconds(Math.Round(age)):g} ago" : "age unknown")}\t{l.ExceptionType}: {l.Reason}");
                }
                return 0;
            case "show" when queue is not null && id is not null:
                var detail = await tools.ShowAsync(queue, id, cancellation);
                if (detail is null)
                    return Fail(error, $"no message {id} in {queue} (among its first {DeadLetterQueues.MaxScan})");
                output.WriteLine(JsonSerializer.Serialize(detail, Json));
                return 0;
            case "replay" when queue is not null && (id is null) == all:
                var replayed = await tools.ReplayAsync(queue, id, cancellation);
                output.WriteLine($"replayed {replayed} message(s) from {queue}");
                return id is not null && replayed == 0 ? Fail(error, $"no message {id} in {queue}") : 0;
            case "purge" when queue is not null && (id is null) == all:
                if (!yes)
                {
                    output.Write($"This deletes {(all ? "every message" : $"message {id}")} in {queue} for good. Type the queue's name to go on: ");
                    if (input.ReadLine()?.Trim() != queue)
                        return Fail(error, "not confirmed; nothing deleted");
                }
                var purged = await tools.PurgeAsync(queue, id, cancellation);
                output.WriteLine($"deleted {purged} message(s) from {queue}");
                return id is not null && purged == 0 ? Fail(error, $"no message {id} in {queue}") : 0;
            default:
                return Fail(error, Usage);
        }
    }

    private static bool TryOptions(string[] options, out string? queue, out string? id, out bool all, out bool yes, out int limit)
    {
        (queue, id, all, yes, limit) = (null, null, false, false, 20);
        for (var i = 0; i < options.Length; i++)
        {
            switch (options[i])
            {
                case "--queue" when i + 1 < options.Length:
                    queue = options[++i];
                    break;
                case "--id" when i + 1 < options.Length:
                    id = options[++i];
                    break;
                case "--limit" when i + 1 < options.Length && int.TryParse(options[i + 1], out var n) && n is > 0 and <= DeadLetterQueues.MaxScan:
                    limit = n;
                    i++;
                    break;
                case "--all":
                    all = true;
                    break;
                case "--yes":
                    yes = true;
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine(message);
        return 2;
    }
}
