namespace Payouts.Bus.Bench;

/// <summary>
/// Whether a payout costs the same when many came before it: the payouts run in chunks of 1,000,
/// and the first chunk's throughput and peak memory are set against the last's (throughput also as
/// the medians of the first and last five chunks). With a seed, the
/// database first gets that many payouts that ended long ago (a million is years of history), and
/// the dashboard's figures are timed before and after, the query every gauge reading runs.
/// </summary>
public static class LongRun
{
    private const int Chunk = 1_000;
    private const int MedianOf = 5;

    /// <returns>Whether every payout reached its terminal state exactly once.</returns>
    public static async Task<bool> RunAsync(ProcessorRun processor, BenchOptions options)
    {
        Console.WriteLine($"  dashboard figures read in {Ms(await processor.TimeOverviewAsync())} with the warm-up's payouts only");
        if (options.Seed > 0)
        {
            await processor.SeedFinishedPayoutsAsync(options.Seed);
            Console.WriteLine($"  dashboard figures read in {Ms(await processor.TimeOverviewAsync())} with {options.Seed:N0} finished payouts added");
        }

        var chunks = new List<ProcessorResult>();
        for (var done = 0; done < options.Payouts; done += Chunk)
        {
            var result = await processor.RunClosedAsync($"chunk {chunks.Count + 1}", Math.Min(Chunk, options.Payouts - done), options.InFlight);
            if (!result.Counts)
            {
                result.Print();
                return false;
            }
            chunks.Add(result);
            Console.WriteLine($"  chunk {chunks.Count,3}: {result.PayoutsPerSecond,6:F1} payouts/s, peak memory {Mib(result.PeakMemoryBytes)}");
        }
        Console.WriteLine($"  dashboard figures read in {Ms(await processor.TimeOverviewAsync())} after the run");

        var (first, last) = (chunks[0], chunks[^1]);
        Console.WriteLine();
        Console.WriteLine($"long run: {options.Payouts:N0} payouts in chunks of {Chunk:N0}{(options.Seed > 0 ? $", after {options.Seed:N0} finished ones" : "")}");
        Console.WriteLine($"  throughput   first chunk {first.PayoutsPerSecond:F1} payouts/s, last {last.PayoutsPerSecond:F1} ({last.PayoutsPerSecond / first.PayoutsPerSecond:P0} of the first)");
        // One chunk against another moves by a third on a shared machine: the medians of several are steadier.
        var several = Math.Max(1, Math.Min(MedianOf, chunks.Count / 2));
        var (early, late) = (Median(chunks.Take(several)), Median(chunks.TakeLast(several)));
        Console.WriteLine($"  throughput   median of the first {several} chunks {early:F1} payouts/s, of the last {several} {late:F1} ({late / early:P0} of the first)");
        Console.WriteLine($"  peak memory  first chunk {Mib(first.PeakMemoryBytes)}, last {Mib(last.PeakMemoryBytes)} ({(double)last.PeakMemoryBytes / first.PeakMemoryBytes:P0} of the first)");
        return true;
    }

    private static double Median(IEnumerable<ProcessorResult> chunks)
    {
        var rates = chunks.Select(c => c.PayoutsPerSecond).Order().ToList();
        return rates.Count % 2 == 1 ? rates[rates.Count / 2] : (rates[rates.Count / 2 - 1] + rates[rates.Count / 2]) / 2;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F1} ms";

    private static string Mib(long bytes) => $"{bytes / (1024 * 1024)} MiB";
}
