namespace Payouts.Bus.Chaos;

/// <summary>
/// Command line <c>[--quick] [--payouts N] [--processors N]</c>; servers, built hosts and the commands that
/// restart the servers come from the environment, as <c>./chaos.sh</c> sets them.
/// </summary>
/// <param name="KillEvery">How often a random processor is killed with SIGKILL (and started again).</param>
/// <param name="InFlight">Payouts requested and not yet ended, at most: upstream keeps this many open.</param>
public sealed record ChaosOptions(
    int Payouts, int Processors, TimeSpan KillEvery, int InFlight, bool Quick,
    string Postgres, string RabbitMq, string HostDll, string SandboxDll, string? RestartRabbitMq, string? RestartPostgres)
{
    private const string Usage = "Usage: [--quick] [--payouts N] [--processors N]";

    public static ChaosOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var payouts = quick ? 600 : 10_000;
        var processors = quick ? 2 : 3;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--payouts" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 100:
                    payouts = n;
                    i++;
                    break;
                case "--processors" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p is >= 2 and <= 8:
                    processors = p;
                    i++;
                    break;
                default:
                    throw new ArgumentException($"{Usage}: '{args[i]}' is not understood (at least 100 payouts, 2 to 8 processors).");
            }
        }
        return new ChaosOptions(
            payouts, processors,
            KillEvery: TimeSpan.FromSeconds(quick ? 15 : 8),
            InFlight: 200,
            quick,
            Required("PAYOUTS_CHAOS_POSTGRES"), Required("PAYOUTS_CHAOS_RABBITMQ"),
            Required("PAYOUTS_CHAOS_HOST_DLL"), Required("PAYOUTS_CHAOS_SANDBOX_DLL"),
            Environment.GetEnvironmentVariable("PAYOUTS_CHAOS_RESTART_RABBITMQ"),
            Environment.GetEnvironmentVariable("PAYOUTS_CHAOS_RESTART_POSTGRES"));
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"{name} is not set: run the chaos run with ./chaos.sh, which starts the servers and builds the hosts.");
}
