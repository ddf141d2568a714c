using System.Diagnostics;

namespace Payouts.Bus.Chaos;

/// <summary>One fault the run caused: when, how long until the processor(s) were back, and until payouts ended again.</summary>
public sealed record FaultRecord(string What, DateTime At)
{
    public TimeSpan? BackAfter { get; set; }
    public TimeSpan? ProgressAfter { get; set; }
    public string? Note { get; set; }
}

/// <summary>
/// The faults of a run: a random processor killed with SIGKILL every few seconds and started again; and, as
/// the run passes 15 %, 35 % and 50 % of its payouts, a RabbitMQ restart, a PostgreSQL restart and a rolling
/// restart (SIGTERM one processor at a time, as a deploy does; it takes longest, so it comes last).
/// </summary>
public sealed class FaultSchedule(ChaosOptions options, IReadOnlyList<ChildProcess> processors, Func<int> ended, string virtualHost)
{
    private readonly Random _random = new(20261202);
    private readonly List<Task> _restarts = [];

    public List<FaultRecord> Records { get; } = [];

    public async Task RunAsync(CancellationToken stop)
    {
        var milestones = new Queue<(double Share, Func<Task<FaultRecord>> Fault)>(
        [
            (0.15, () => RestartServerAsync("RabbitMQ restarted", options.RestartRabbitMq)),
            (0.35, () => RestartServerAsync("PostgreSQL restarted", options.RestartPostgres)),
            (0.50, RollingRestartAsync),
        ]);
        var nextKill = DateTime.UtcNow + options.KillEvery;
        while (!stop.IsCancellationRequested)
        {
            if (milestones.TryPeek(out var milestone) && ended() >= milestone.Share * options.Payouts)
            {
                milestones.Dequeue();
                var record = await milestone.Fault();
                Records.Add(record);
                _ = WatchProgressAsync(record);
                nextKill = DateTime.UtcNow + options.KillEvery;
            }
            else if (DateTime.UtcNow >= nextKill)
            {
                KillOne();
                nextKill = DateTime.UtcNow + options.KillEvery;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(_restarts);
        foreach (var (share, _) in milestones)
            Records.Add(new FaultRecord($"(not reached: the fault due at {share:P0})", DateTime.UtcNow));
    }

    /// <summary>A random processor that is up, killed and started again; never the last one up.</summary>
    private void KillOne()
    {
        var up = processors.Where(p => p.Ready).ToList();
        if (up.Count < 2)
            return;
        var victim = up[_random.Next(up.Count)];
        var record = new FaultRecord($"SIGKILL {victim.Name}", DateTime.UtcNow);
        Records.Add(record);
        _restarts.RemoveAll(t => t.IsCompleted);
        _restarts.Add(Task.Run(async () =>
        {
            await victim.KillAsync();
            await StartUntilReadyAsync(victim);
            record.BackAfter = DateTime.UtcNow - record.At;
        }));
    }

    private async Task<FaultRecord> RollingRestartAsync()
    {
        var record = new FaultRecord("rolling restart (SIGTERM, one processor at a time)", DateTime.UtcNow);
        var deadLettersBefore = await DeadLettersAsync();
        var killed = 0;
        // One killed a moment ago finishes its own restart first: a deploy meets running hosts.
        await Task.WhenAll(_restarts);
        foreach (var processor in processors)
        {
            if (!await processor.TerminateAsync(TimeSpan.FromSeconds(60)))
                killed++;
            await StartUntilReadyAsync(processor);
        }
        record.BackAfter = DateTime.UtcNow - record.At;
        // Messages a stopping host failed would be in _error by now; give any in flight a moment.
        await Task.Delay(TimeSpan.FromSeconds(2));
        record.Note = $"dead letters it caused: {await DeadLettersAsync() - deadLettersBefore}; processors that did not stop within 60 s: {killed}";
        return record;
    }

    private static async Task<FaultRecord> RestartServerAsync(string what, string? command)
    {
        var record = new FaultRecord(what, DateTime.UtcNow);
        if (string.IsNullOrEmpty(command))
        {
            record.Note = "skipped: no restart command given";
            return record;
        }
        using var restart = Process.Start("bash", ["-c", command]);
        await restart.WaitForExitAsync();
        record.BackAfter = DateTime.UtcNow - record.At;
        if (restart.ExitCode != 0)
            record.Note = $"the restart command exited with {restart.ExitCode}";
        return record;
    }

    /// <summary>Starts the processor until it is ready: while a server restarts, a starting host may give up and exit.</summary>
    private static async Task StartUntilReadyAsync(ChildProcess processor)
    {
        for (var attempt = 1; ; attempt++)
        {
            processor.Start();
            try
            {
                await processor.WaitReadyAsync(TimeSpan.FromSeconds(120));
                return;
            }
            catch (Exception) when (attempt < 5)
            {
                await processor.KillAsync();
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }

    /// <summary>Notes how long after the fault began payouts ended again.</summary>
    private async Task WatchProgressAsync(FaultRecord record)
    {
        var before = ended();
        while (ended() == before && DateTime.UtcNow - record.At < TimeSpan.FromMinutes(10))
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        record.ProgressAfter = DateTime.UtcNow - record.At;
    }

    private async Task<int> DeadLettersAsync() => (await Reconciliation.ErrorQueuesAsync(virtualHost)).Sum(q => q.Messages);
}
