using System.Diagnostics;
using Payouts.Bus.Bench;

// Pushes payouts through the processor on RabbitMQ + PostgreSQL (sandbox at zero latency), then does
// with the bare client libraries, at the same concurrency, in the same run: (1) the reference
// ceiling, the least work a durable design needs per payout (5 confirmed persistent messages
// published and consumed, 5 single-row commits), which judges the processor; (2) the same work the
// processor did (its own message and commit counts), which shows what that work costs without a
// framework. Prints all three and the ratios. Run it with ./bench.sh, which starts both servers.
var options = BenchOptions.Parse(args);
Console.WriteLine($"Payouts.Bus benchmark: {options.Payouts} payouts, {options.InFlight} in flight at most, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

var processor = await ProcessorRun.RunAsync(options);
var peakMemory = Process.GetCurrentProcess().PeakWorkingSet64;
processor.Print(peakMemory);
if (!processor.Counts)
{
    Console.WriteLine("This run does not count: not every payout reached its terminal state exactly once.");
    return 1;
}

var reference = await RawCeiling.RunAsync(options, RawCeiling.ReferenceMessagesPerPayout, RawCeiling.ReferenceCommitsPerPayout);
reference.Print("reference ceiling (the least a durable design needs: 5 messages and 5 commits per payout)");
var replay = await RawCeiling.RunAsync(options, processor.MessagesPerPayout, processor.CommitsPerPayout);
replay.Print("same-work replay (the processor's own message and commit counts, no framework)");
Console.WriteLine();
Console.WriteLine($"ratio to reference: {processor.PayoutsPerSecond / reference.PayoutsPerSecond:F2}");
Console.WriteLine($"ratio to same-work replay: {processor.PayoutsPerSecond / replay.PayoutsPerSecond:F2}");
return 0;
