namespace Payouts.Bus.Bench;

/// <summary>Command line: <c>[--payouts N] [--quick] [--in-flight N]</c>; servers come from the environment.</summary>
public sealed record BenchOptions(int Payouts, int InFlight, string Postgres, string RabbitMq)
{
    public const int DefaultPayouts = 5_000;
    public const int QuickPayouts = 400;

    public static BenchOptions Parse(string[] args)
    {
        var payouts = DefaultPayouts;
        var inFlight = 200;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    payouts = QuickPayouts;
                    break;
                case "--payouts" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    payouts = n;
                    i++;
                    break;
                case "--in-flight" when i + 1 < args.Length && int.TryParse(args[i + 1], out var w) && w > 0:
                    inFlight = w;
                    i++;
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete argument '{args[i]}'. Usage: [--payouts N] [--quick] [--in-flight N]");
            }
        }
        return new BenchOptions(payouts, inFlight,
            Environment.GetEnvironmentVariable("PAYOUTS_BENCH_POSTGRES") ?? throw new InvalidOperationException("PAYOUTS_BENCH_POSTGRES is not set: run ./bench.sh"),
            Environment.GetEnvironmentVariable("PAYOUTS_BENCH_RABBITMQ") ?? throw new InvalidOperationException("PAYOUTS_BENCH_RABBITMQ is not set: run ./bench.sh"));
    }
}
