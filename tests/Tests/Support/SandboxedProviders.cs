using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Providers;
using Payouts.Bus.Sandbox;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// The provider clients exactly as the host registers them (signing, resilience pipeline, telemetry),
/// talking to a provider sandbox over loopback. Webhooks go to a closed port unless a test says otherwise.
/// </summary>
public sealed class SandboxedProviders : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private SandboxedProviders(ProviderSandbox sandbox, SandboxOptions options, ServiceProvider services)
    {
        Sandbox = sandbox;
        Options = options;
        _services = services;
    }

    public ProviderSandbox Sandbox { get; }

    /// <summary>The sandbox's options, faults included; tests may change the faults while it runs.</summary>
    public SandboxOptions Options { get; }

    public IPayoutProviderClient Client(PayoutProvider provider) => _services.GetRequiredService<PayoutProviders>().Client(provider);

    public static async Task<SandboxedProviders> StartAsync(
        Action<SandboxOptions>? sandbox = null, IReadOnlyDictionary<string, string?>? settings = null, Uri? webhooks = null)
    {
        var hooks = webhooks ?? new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/webhooks/");
        var options = new SandboxOptions
        {
            Url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}"),
            StepDelay = TimeSpan.FromMilliseconds(100),
            WebhookRetryDelay = TimeSpan.FromMilliseconds(200),
            DfnsWebhookUrl = new Uri(hooks, "dfns"),
            CalypsoWebhookUrl = new Uri(hooks, "calypso"),
        };
        sandbox?.Invoke(options);
        var provider = new ProviderSandbox(options);
        await provider.StartAsync();

        var root = provider.BaseUrl.ToString().TrimEnd('/');
        var configuration = new Dictionary<string, string?>
        {
            ["Providers:RequestTimeout"] = "00:00:02",
            ["Providers:RetryDelay"] = "00:00:00.050",
            ["Providers:Dfns:BaseUrl"] = $"{root}/dfns",
            ["Providers:Dfns:ApiToken"] = options.DfnsApiToken,
            ["Providers:Dfns:WebhookSecret"] = options.DfnsWebhookSecret,
            ["Providers:Dfns:CredentialId"] = options.DfnsCredentialId,
            ["Providers:Dfns:CredentialPrivateKey"] = options.DfnsCredentialPrivateKey,
            ["Providers:TheDex:BaseUrl"] = $"{root}/thedex/api/v1",
            ["Providers:TheDex:ApiKey"] = options.TheDexApiKey,
            ["Providers:TheDex:ApiSecret"] = options.TheDexApiSecret,
            ["Providers:TheDex:CallbackUrl"] = new Uri(hooks, "thedex").ToString(),
            ["Providers:Calypso:BaseUrl"] = $"{root}/calypso",
            ["Providers:Calypso:Account"] = options.CalypsoAccount,
            ["Providers:Calypso:PublicKey"] = options.CalypsoPublicKey,
            ["Providers:Calypso:Secret"] = options.CalypsoSecret,
            ["Providers:Calypso:WebhookSecret"] = options.CalypsoWebhookSecret,
            ["Providers:OxaPay:BaseUrl"] = $"{root}/oxapay/v1",
            ["Providers:OxaPay:PayoutApiKey"] = options.OxaPayPayoutApiKey,
            ["Providers:OxaPay:CallbackUrl"] = new Uri(hooks, "oxapay").ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            configuration[key] = value;

        var services = new ServiceCollection().AddLogging()
            .AddPayoutProviders(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build())
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        return new SandboxedProviders(provider, options, services);
    }

    /// <summary>The sample payout of each provider (samples/payouts), as the saga hands it to a client.</summary>
    public static ProviderPayout Payout(PayoutProvider provider, string? destination = null) => provider switch
    {
        PayoutProvider.Dfns => New(provider, new Money(1000.00m, "USDC", "Polygon"), destination ?? "pi-sample-bank-account-0001",
            new DfnsPayoutDetails("wa-5pfuu-9euek-h0odgb6snva8ph3k", "USD", "US", "sample-borderless-account", "salary payment")),
        PayoutProvider.TheDex => New(provider, new Money(125.50m, "USDT", "Tron"), destination ?? "TQ4ZgZ9m8PCUxWnoxxqCmBjKkPkH8F9mqL"),
        PayoutProvider.Calypso => New(provider, new Money(250m, "USDT", "Tron"), destination ?? "TQ4ZgZ9m8PCUxWnoxxqCmBjKkPkH8F9mqL"),
        PayoutProvider.OxaPay => New(provider, new Money(0.015m, "BTC", "Bitcoin"), destination ?? "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    private static ProviderPayout New(PayoutProvider provider, Money amount, string destination, DfnsPayoutDetails? dfns = null) =>
        new(Guid.NewGuid(), provider, amount, destination, null, dfns, null, DateTime.UtcNow);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
