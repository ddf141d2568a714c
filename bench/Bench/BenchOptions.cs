namespace Payouts.Bus.Bench;

/// <summary>
/// Command line: <c>[--payouts N] [--quick] [--in-flight N] [--warmup N] [--rate R] [--embedded]</c>; servers come from the environment.
/// </summary>
/// <param name="Rate">Open loop only, at this many arrivals per second; null for the closed loop, then half its rate.</param>
/// <param name="Embedded">The embedded default (SQLite, in-memory bus) driven over HTTP; no servers, no ceilings.</param>
/// <param name="LongRun">Whether cost and memory stay flat as history grows: the payouts in chunks of 1,000, first against last.</param>
/// <param name="Seed">Payouts that ended long ago, added to the database before the run (long mode).</param>
/// <param name="Search">Only the cost of a page of <c>GET /payouts</c>, at 10,000 and at 1,000,000 payouts; no payouts run.</param>
public sealed record BenchOptions(int Payouts, int InFlight, int Warmup, double? Rate, bool Embedded, bool LongRun, int Seed, bool Search, string? Postgres, string? RabbitMq)
{
    public const int DefaultPayouts = 5_000;
    public const int QuickPayouts = 400;

    /// <summary>The JIT is still busy for the first minute or so; what a long-running host does is measured after it.</summary>
    public const int DefaultWarmup = 1_000;
    public const int QuickWarmup = 200;
    public const int LongPayouts = 20_000;

    private const string Usage = "Usage: [--payouts N] [--quick] [--in-flight N] [--warmup N] [--rate R] [--embedded] [--long [--seed N]] [--search]";

    public static BenchOptions Parse(string[] args)
    {
        var payouts = DefaultPayouts;
        var warmup = DefaultWarmup;
        var inFlight = 200;
        double? rate = null;
        var embedded = false;
        var longRun = false;
        var seed = 0;
        var search = false;
        int? asked = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--embedded":
                    embedded = true;
                    break;
                case "--long":
                    longRun = true;
                    break;
                case "--search":
                    search = true;
                    break;
                case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], out var sd) && sd >= 0:
                    seed = sd;
                    i++;
                    break;
                case "--quick":
                    payouts = QuickPayouts;
                    warmup = QuickWarmup;
                    break;
                case "--payouts" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    asked = n;
                    i++;
                    break;
                case "--in-flight" when i + 1 < args.Length && int.TryParse(args[i + 1], out var w) && w > 0:
                    inFlight = w;
                    i++;
                    break;
                case "--warmup" when i + 1 < args.Length && int.TryParse(args[i + 1], out var u) && u >= 0:
                    warmup = u;
                    i++;
                    break;
                case "--rate" when i + 1 < args.Length
                        && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var r) && r > 0:
                    rate = r;
                    i++;
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete argument '{args[i]}'. {Usage}");
            }
        }
        payouts = asked ?? (longRun ? LongPayouts : payouts);
        if (longRun && (embedded || rate is not null))
            throw new ArgumentException($"--long runs the closed loop on RabbitMQ + PostgreSQL: not with --embedded or --rate. {Usage}");
        if (search && (embedded || longRun || rate is not null))
            throw new ArgumentException($"--search reads pages from PostgreSQL: on its own. {Usage}");
        if (seed > 0 && !longRun)
            throw new ArgumentException($"--seed goes with --long. {Usage}");
        if (embedded)
            return new BenchOptions(payouts, inFlight, warmup, rate, embedded, longRun, seed, search, null, null);
        return new BenchOptions(payouts, inFlight, warmup, rate, embedded, longRun, seed, search,
            Environment.GetEnvironmentVariable("PAYOUTS_BENCH_POSTGRES") ?? throw new InvalidOperationException("PAYOUTS_BENCH_POSTGRES is not set: run ./bench.sh"),
            Environment.GetEnvironmentVariable("PAYOUTS_BENCH_RABBITMQ") ?? throw new InvalidOperationException("PAYOUTS_BENCH_RABBITMQ is not set: run ./bench.sh"));
    }
}
