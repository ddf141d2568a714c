namespace Payouts.Bus.Sandbox;

/// <summary>
/// The sandbox's side of each provider account, and where it sends webhooks. The defaults are
/// the well-known sandbox credentials the host's embedded configuration uses.
/// </summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Run the sandbox inside the host (the embedded default).</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the sandbox listens, e.g. http://127.0.0.1:5081.</summary>
    public Uri Url { get; set; } = new("http://127.0.0.1:5081");

    /// <summary>Time between two status steps of a payout (created → processing → completed).</summary>
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Payouts to these addresses fail at the provider (TheDex, Calypso, OxaPay) or are rejected by policy (Dfns).</summary>
    public HashSet<string> FailingDestinations { get; set; } = new(StringComparer.Ordinal);

    public string DfnsApiToken { get; set; } = "sandbox-dfns-token";
    public string DfnsWebhookSecret { get; set; } = "sandbox-dfns-webhook-secret";
    public Uri? DfnsWebhookUrl { get; set; }

    public string TheDexApiKey { get; set; } = "sandbox-thedex-key";
    public string TheDexApiSecret { get; set; } = "sandbox-thedex-secret";

    public string CalypsoAccount { get; set; } = "0x00000000000000000000000000000000000ca15e";
    public string CalypsoPublicKey { get; set; } = "sandbox-calypso-key";
    public string CalypsoSecret { get; set; } = "sandbox-calypso-secret";
    public string CalypsoWebhookSecret { get; set; } = "sandbox-calypso-webhook-secret";
    public Uri? CalypsoWebhookUrl { get; set; }

    /// <summary>Calypso account balance per currency code; a payout above it is refused.</summary>
    public Dictionary<string, decimal> CalypsoBalances { get; set; } = new()
    {
        ["USDT_TRX"] = 1_000_000m, ["USDT_ETH"] = 1_000_000m, ["USDC_ETH"] = 1_000_000m,
        ["TRX"] = 1_000_000m, ["ETH"] = 1_000m, ["BTC"] = 100m,
    };

    public string OxaPayPayoutApiKey { get; set; } = "sandbox-oxapay-key";
}
