using System.Diagnostics;
using Payouts.Bus.Bench;

// Pushes payouts through the processor on RabbitMQ + PostgreSQL (sandbox at zero latency), then does
// the same number of confirmed broker messages and database commits per payout with the bare client
// libraries, and prints both and their ratio. Run it with ./bench.sh, which starts both servers.
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

var ceiling = await RawCeiling.RunAsync(options, processor.MessagesPerPayout, processor.CommitsPerPayout);
ceiling.Print();
Console.WriteLine($"ratio: the processor runs at {processor.PayoutsPerSecond / ceiling.PayoutsPerSecond:P1} of the raw ceiling");
return 0;
