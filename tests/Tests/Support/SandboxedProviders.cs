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
    private readonly ClosedLoopbackPort? _nowhere;

    private SandboxedProviders(ProviderSandbox sandbox, SandboxOptions options, ServiceProvider services, ClosedLoopbackPort? nowhere)
    {
        _nowhere = nowhere;
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
        var nowhere = webhooks is null ? new ClosedLoopbackPort() : null;
        var hooks = webhooks ?? new Uri(nowhere!.Url, "webhooks/");
        var options = new SandboxOptions
        {
            Url = new Uri("http://127.0.0.1:0"),
            StepDelay = TimeSpan.FromMilliseconds(100),
            WebhookRetryDelay = TimeSpan.FromMilliseconds(200),
            DfnsWebhookUrl = new Uri(hooks, "dfns"),
            CalypsoWebhookUrl = new Uri(hooks, "calypso"),
        };
        sandbox?.Invoke(options);
        var provider = new ProviderSandbox(options);
        await provider.StartAsync();

        var configuration = ProviderSettings(options, provider.BaseUrl).ToDictionary(s => s.Key, string? (s) => s.Value);
        configuration["Providers:RequestTimeout"] = "00:00:02";
        configuration["Providers:RetryDelay"] = "00:00:00.050";
        configuration["Providers:TheDex:CallbackUrl"] = new Uri(hooks, "thedex").ToString();
        configuration["Providers:OxaPay:CallbackUrl"] = new Uri(hooks, "oxapay").ToString();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            configuration[key] = value;

        var services = new ServiceCollection().AddLogging()
            .AddPayoutProviders(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build())
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        return new SandboxedProviders(provider, options, services, nowhere);
    }

    /// <summary>The <c>Providers:*</c> settings that point the four clients at a sandbox, with its credentials.</summary>
    public static Dictionary<string, string> ProviderSettings(SandboxOptions sandbox, Uri root) => new()
    {
        ["Providers:Dfns:BaseUrl"] = new Uri(root, "dfns").ToString(),
        ["Providers:Dfns:ApiToken"] = sandbox.DfnsApiToken,
        ["Providers:Dfns:WebhookSecret"] = sandbox.DfnsWebhookSecret,
        ["Providers:Dfns:CredentialId"] = sandbox.DfnsCredentialId,
        ["Providers:Dfns:CredentialPrivateKey"] = sandbox.DfnsCredentialPrivateKey,
        ["Providers:TheDex:BaseUrl"] = new Uri(root, "thedex/api/v1").ToString(),
        ["Providers:TheDex:ApiKey"] = sandbox.TheDexApiKey,
        ["Providers:TheDex:ApiSecret"] = sandbox.TheDexApiSecret,
        ["Providers:Calypso:BaseUrl"] = new Uri(root, "calypso").ToString(),
        ["Providers:Calypso:Account"] = sandbox.CalypsoAccount,
        ["Providers:Calypso:PublicKey"] = sandbox.CalypsoPublicKey,
        ["Providers:Calypso:Secret"] = sandbox.CalypsoSecret,
        ["Providers:Calypso:WebhookSecret"] = sandbox.CalypsoWebhookSecret,
        ["Providers:OxaPay:BaseUrl"] = new Uri(root, "oxapay/v1").ToString(),
        ["Providers:OxaPay:PayoutApiKey"] = sandbox.OxaPayPayoutApiKey,
    };

    /// <summary>The sample payout of each provider (samples/payouts), as the saga hands it to a client.</summary>
    public static ProviderPayout Payout(PayoutProvider provider, string? destination = null) => provider switch
    {
        PayoutProvider.Dfns => New(provider, new Money(1000.00m, "USDC", "Polygon"), destination ?? "pi-sample-bank-account-0001",
            new DfnsPayoutDetails("wa-5pfuu-9euek-h0odgb6snva8ph3k", "USD", "US", "sample-borderless-account", "salary payment")),
        PayoutProvider.TheDex => New(provider, new Money(125.50m, "USDT", "Tron"), destination ?? "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy"),
        PayoutProvider.Calypso => New(provider, new Money(250m, "USDT", "Tron"), destination ?? "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy"),
        PayoutProvider.OxaPay => New(provider, new Money(0.015m, "BTC", "Bitcoin"), destination ?? "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    private static ProviderPayout New(PayoutProvider provider, Money amount, string destination, DfnsPayoutDetails? dfns = null) =>
        new(Guid.NewGuid(), provider, amount, destination, null, dfns, null, DateTime.UtcNow);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
        _nowhere?.Dispose();
    }
}
