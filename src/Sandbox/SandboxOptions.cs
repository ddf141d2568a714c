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

    /// <summary>
    /// The second switch a Production host needs before it runs the sandbox: there it would report
    /// payouts completed that nobody paid. Meant for load tests of a production build, never for a
    /// host that takes real payouts.
    /// </summary>
    public bool UnsafeAllowInProduction { get; set; }

    /// <summary>Where the sandbox listens, e.g. http://127.0.0.1:5081.</summary>
    public Uri Url { get; set; } = new("http://127.0.0.1:5081");

    /// <summary>Time between two status steps of a payout (created → processing → completed).</summary>
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Pause before a webhook the receiver did not answer 200 is sent again; the n-th retry waits n
    /// times this. The providers wait minutes to days; the sandbox compresses their schedules.
    /// </summary>
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Misbehaviour switched on by configuration (latency, errors, lost answers, webhook disorder).</summary>
    public SandboxFaults Faults { get; set; } = new();

    /// <summary>Payouts to these addresses fail at the provider (TheDex, Calypso, OxaPay) or are rejected by policy (Dfns).</summary>
    public HashSet<string> FailingDestinations { get; set; } = new(StringComparer.Ordinal);

    public string DfnsApiToken { get; set; } = "sandbox-dfns-token";
    public string DfnsWebhookSecret { get; set; } = "sandbox-dfns-webhook-secret";
    public string DfnsCredentialId { get; set; } = "Y2ktc2FuZGJveC1jcmVkZW50aWFs";

    /// <summary>The public half of the sandbox service account's credential: user-action signatures are verified with it.</summary>
    public string DfnsCredentialPublicKey { get; set; } =
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7JG0TSobmb+d8AMwJ0Saz7tmn1qD\nc48KqdhCxH4r4JGoDwft7ysXZb9RpnSyVrVODP6S6+9XNvjsQkndLyKLHA==\n-----END PUBLIC KEY-----\n";

    /// <summary>The well-known private half, for hosts pointed at the sandbox; it signs nothing real.</summary>
    public string DfnsCredentialPrivateKey { get; set; } =
        "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgu+v1rjVZQdiU1sCm\nz9SaRiofKcKlVlDd2qEXHeZa8z2hRANCAATskbRNKhuZv53wAzAnRJrPu2afWoNz\njwqp2ELEfivgkagPB+3vKxdlv1GmdLJWtU4M/pLr71c2+OxCSd0vIosc\n-----END PRIVATE KEY-----\n";
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

    /// <summary>The most rows a page of OxaPay's payout history holds, whatever <c>size</c> asks for (OxaPay's own cap is assumed to be 200).</summary>
    public int OxaPayHistoryPageLimit { get; set; } = 200;

    /// <summary>TheDex balance per pay currency (e.g. <c>USDT_TRON</c>); a currency not listed holds plenty.</summary>
    public Dictionary<string, decimal> TheDexBalances { get; set; } = [];

    /// <summary>OxaPay balance per currency (e.g. <c>USDT</c>); a currency not listed holds plenty.</summary>
    public Dictionary<string, decimal> OxaPayBalances { get; set; } = [];

    /// <summary>Most each provider account pays out per currency per UTC day; no limit when unset.</summary>
    public decimal? DailyLimit { get; set; }
}
