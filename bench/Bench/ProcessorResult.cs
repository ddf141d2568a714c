namespace Payouts.Bus.Bench;

/// <summary>What the processor did for the payouts of one run.</summary>
public sealed class ProcessorResult(string phase, string setup, int payouts, TerminalTracker tracker, long deliveries, long faulted,
    IReadOnlyDictionary<string, long> consumedByType, long? commits, long peakMemoryBytes, TimeSpan cpuTime)
{
    public double PayoutsPerSecond => payouts / tracker.Elapsed.TotalSeconds;
    public double MessagesPerPayout => (double)deliveries / payouts;
    public double CommitsPerPayout => (double)(commits ?? 0) / payouts;

    /// <summary>A run counts only if every payout reached its terminal state exactly once.</summary>
    public bool Counts => tracker.Terminal == payouts && tracker.Duplicates == 0 && tracker.Unknown == 0;

    /// <summary>The process's largest resident set while this phase ran.</summary>
    public long PeakMemoryBytes => peakMemoryBytes;

    public void Print()
    {
        var latencies = tracker.Latencies.Order().ToArray();
        Console.WriteLine();
        Console.WriteLine($"processor, {phase} ({setup})");
        Console.WriteLine($"  payouts           {payouts} in {tracker.Elapsed.TotalSeconds:F1} s: {string.Join(", ", tracker.Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Value} {o.Key}"))}");
        Console.WriteLine($"  terminal once     {(Counts ? "yes" : "NO")} ({tracker.Terminal} terminal, {tracker.Duplicates} duplicate and {tracker.Unknown} unknown terminal events)");
        Console.WriteLine($"  throughput        {PayoutsPerSecond:F1} payouts/s");
        Console.WriteLine($"  request→terminal  p50 {Ms(Percentile(latencies, 0.50))}, p95 {Ms(Percentile(latencies, 0.95))}, p99 {Ms(Percentile(latencies, 0.99))}, max {Ms(latencies.LastOrDefault())}");
        Console.WriteLine($"  broker messages   {MessagesPerPayout:F1} per payout ({deliveries} delivered, {faulted} faulted)");
        Console.WriteLine($"    consumed        {string.Join(", ", consumedByType.Where(t => t.Value > 0).OrderByDescending(t => t.Value).Select(t => $"{t.Key} {(double)t.Value / payouts:F2}"))}");
        Console.WriteLine(commits is null
            ? "  db transactions   not counted (SQLite keeps no count)"
            : $"  db transactions   {CommitsPerPayout:F1} per payout ({commits} committed, PostgreSQL's own count)");
        // Steadier than payouts/s on a shared machine: other tenants take time, not this process's work.
        Console.WriteLine($"  cpu time          {cpuTime.TotalMilliseconds / payouts:F1} ms per payout (this process: host, sandbox, upstream; the servers not counted)");
        Console.WriteLine($"  peak memory       {peakMemoryBytes / (1024 * 1024)} MiB during this phase (whole process: host, sandbox, upstream)");
    }

    private static TimeSpan Percentile(TimeSpan[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F0} ms";
}
