using Payouts.Bus.Bench;

// Pushes payouts through the processor on RabbitMQ + PostgreSQL (sandbox at zero latency): a
// warm-up, then a closed loop that measures the most it does, then an open loop at half that rate
// that measures latency under load (or, with --rate, only an open loop at that rate). Then does
// with the bare client libraries, at the same concurrency, in the same run: (1) the reference
// ceiling, the least work a durable design needs per payout (5 confirmed persistent messages
// published and consumed, 5 single-row commits), which judges the processor; (2) the same work the
// processor did (its own message and commit counts), which shows what that work costs without a
// framework. Run it with ./bench.sh, which starts both servers.
var options = BenchOptions.Parse(args);
Console.WriteLine(options.Search
    ? $"Payouts.Bus benchmark: pages of GET /payouts; {Environment.ProcessorCount} cores, .NET {Environment.Version}"
    : $"Payouts.Bus benchmark: {options.Warmup} payouts to warm up, then {options.Payouts}; {options.InFlight} in flight at most, " +
      $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"  on {ProcessorRun.Setup(options)}");

ProcessorResult measured;
await using (var processor = await ProcessorRun.StartAsync(options))
{
    if (options.Search)
    {
        await SearchBench.RunAsync(processor);
        return 0;
    }

    if (options.Warmup > 0)
    {
        var warmup = await processor.RunClosedAsync("warm-up (not counted)", options.Warmup, options.InFlight);
        Console.WriteLine($"  warm-up: {options.Warmup} payouts at {warmup.PayoutsPerSecond:F1} payouts/s");
    }

    if (options.Rate is { } rate)
    {
        var open = await processor.RunOpenAsync($"open loop, {rate:0.#} arrivals/s", options.Payouts, rate);
        open.Print();
        return open.Counts ? 0 : 1;
    }

    if (options.LongRun)
        return await LongRun.RunAsync(processor, options) ? 0 : 1;

    measured = await processor.RunClosedAsync("closed loop, the most it does", options.Payouts, options.InFlight);
    measured.Print();
    if (!measured.Counts)
    {
        Console.WriteLine("This run does not count: not every payout reached its terminal state exactly once.");
        return 1;
    }

    // Latency is judged below saturation: half the rate just measured, for about 20 seconds.
    var half = measured.PayoutsPerSecond / 2;
    var halfLoad = await processor.RunOpenAsync($"open loop at half that rate, {half:F1} arrivals/s", Math.Max(100, (int)(half * 20)), half);
    halfLoad.Print();
    if (!halfLoad.Counts)
    {
        Console.WriteLine("This run does not count: not every payout reached its terminal state exactly once.");
        return 1;
    }
}

// The ceilings are RabbitMQ and PostgreSQL work: they judge the production setup, not the embedded one.
if (options.Embedded)
    return 0;

// This machine is shared: one reading of the reference ranged from 230 to 590 payouts/s within an
// hour. Three readings, and the ratio is taken to their median.
var readings = new List<CeilingResult>();
for (var reading = 1; reading <= 3; reading++)
{
    readings.Add(await RawCeiling.RunAsync(options, RawCeiling.ReferenceMessagesPerPayout, RawCeiling.ReferenceCommitsPerPayout));
    readings[^1].Print($"reference ceiling, reading {reading} of 3 (the least a durable design needs: 5 messages and 5 commits per payout)");
}
var reference = readings.OrderBy(r => r.PayoutsPerSecond).ElementAt(1);
Console.WriteLine();
Console.WriteLine($"reference ceiling: median of three readings {reference.PayoutsPerSecond:F1} payouts/s ({string.Join(", ", readings.Select(r => $"{r.PayoutsPerSecond:F1}"))})");
var replay = await RawCeiling.RunAsync(options, measured.MessagesPerPayout, measured.CommitsPerPayout);
replay.Print("same-work replay (the processor's own message and commit counts, no framework)");
Console.WriteLine();
Console.WriteLine($"ratio to reference: {measured.PayoutsPerSecond / reference.PayoutsPerSecond:F2}");
Console.WriteLine($"ratio to same-work replay: {measured.PayoutsPerSecond / replay.PayoutsPerSecond:F2}");
return 0;
