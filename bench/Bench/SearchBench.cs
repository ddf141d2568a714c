using Payouts.Bus.Domain;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Bench;

/// <summary>
/// Whether a page of <c>GET /payouts</c> costs the same however many payouts lie behind it: the same
/// pages are read with 10,000 payouts in the database and again with 1,000,000 (seeded in bulk), and
/// their times set side by side.
/// </summary>
public static class SearchBench
{
    private const int Small = 10_000;
    private const int Large = 1_000_000;

    public static async Task RunAsync(ProcessorRun processor)
    {
        await processor.SeedFinishedPayoutsAsync(Small);
        // The first readings pay for the JIT and EF's query compilation: not counted.
        await TimeAllAsync(processor);
        var small = await TimeAllAsync(processor);
        Console.WriteLine($"  {Small:N0} payouts: read");
        await processor.SeedFinishedPayoutsAsync(Large - Small, first: Small + 1);
        var large = await TimeAllAsync(processor);
        Console.WriteLine($"  {Large:N0} payouts: read");

        Console.WriteLine();
        Console.WriteLine($"GET /payouts, one page of 100 read from PostgreSQL (median / slowest of 21), {Small:N0} payouts against {Large:N0}:");
        foreach (var ((name, a), (_, b)) in small.Zip(large))
            Console.WriteLine($"  {name,-34} {Ms(a.Median),9} / {Ms(a.Slowest),9}   {Ms(b.Median),9} / {Ms(b.Slowest),9}   ({b.Median / a.Median:F2}x)");
    }

    private static async Task<List<(string Name, (TimeSpan Median, TimeSpan Slowest) Time)>> TimeAllAsync(ProcessorRun processor)
    {
        var (createdAt, id) = await processor.Database.MiddleOfListAsync();
        var middle = new PayoutCursor(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc), id);
        return
        [
            ("newest page, every client", await processor.TimeSearchAsync(new PayoutSearchFilter(), null)),
            ("page halfway down the list", await processor.TimeSearchAsync(new PayoutSearchFilter(), middle)),
            ("one client's page halfway down", await processor.TimeSearchAsync(new PayoutSearchFilter(Client: "bench-a"), middle)),
            ("one client's Failed, newest", await processor.TimeSearchAsync(new PayoutSearchFilter(Client: "bench-a", State: PayoutStates.Failed), null)),
            ("by externalId", await processor.TimeSearchAsync(new PayoutSearchFilter(ExternalId: "seeded-5000"), null)),
        ];
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F2} ms";
}
