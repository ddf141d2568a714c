using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;
using Payouts.Bus.Observability;
using Payouts.Bus.Providers.Calypso;
using Payouts.Bus.Providers.Dfns;
using Payouts.Bus.Providers.OxaPay;
using Payouts.Bus.Providers.TheDex;

namespace Payouts.Bus.Providers;

public static class ProvidersServiceCollectionExtensions
{
    /// <summary>
    /// The four provider clients and webhook handlers, configured from <c>Providers:*</c>. A provider
    /// with nothing configured is disabled (<see cref="ConfiguredProviders"/>); one configured in part
    /// stops the host at start with a clear message. <paramref name="sandboxed"/>: the in-process
    /// sandbox serves every provider and supplies what configuration leaves out.
    /// </summary>
    public static IServiceCollection AddPayoutProviders(this IServiceCollection services, IConfiguration configuration, bool sandboxed = false)
    {
        var configured = Enum.GetValues<PayoutProvider>()
            .Where(provider => sandboxed || configuration.GetSection($"{ProvidersOptions.Section}:{provider}").GetChildren().Any())
            .ToList();
        services.AddSingleton(new ConfiguredProviders(configured));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PayoutsMetrics>();
        services.AddSingleton<TheDexNonce>();
        services.AddOptions<ProvidersOptions>().Bind(configuration.GetSection(ProvidersOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<ProviderResilience>();
        services.AddSingleton<IProviderHealth>(sp => sp.GetRequiredService<ProviderResilience>());

        AddProvider<DfnsClient, DfnsWebhook, DfnsOptions>(services, configuration, PayoutProvider.Dfns, DfnsOptions.Section, configured);
        AddProvider<TheDexClient, TheDexWebhook, TheDexOptions>(services, configuration, PayoutProvider.TheDex, TheDexOptions.Section, configured);
        AddProvider<CalypsoClient, CalypsoWebhook, CalypsoOptions>(services, configuration, PayoutProvider.Calypso, CalypsoOptions.Section, configured);
        AddProvider<OxaPayClient, OxaPayWebhook, OxaPayOptions>(services, configuration, PayoutProvider.OxaPay, OxaPayOptions.Section, configured);

        services.AddTransient<PayoutProviders>();
        return services;
    }

    private static void AddProvider<TClient, TWebhook, TOptions>(
        IServiceCollection services, IConfiguration configuration, PayoutProvider provider, string section, List<PayoutProvider> configured)
        where TClient : class, IPayoutProviderClient
        where TWebhook : class, IProviderWebhookHandler
        where TOptions : class, IProviderOptions
    {
        if (!configured.Contains(provider))
            return;
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<TClient>((sp, http) =>
            {
                // A trailing slash makes relative paths append to the base path instead of replacing its last segment.
                var root = sp.GetRequiredService<IOptions<TOptions>>().Value.BaseUrl!.ToString();
                http.BaseAddress = new Uri(root.EndsWith('/') ? root : root + "/");
                // The resilience pipeline times each attempt; the client itself never gives up first.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler(sp => new ProviderResilienceHandler(
                sp.GetRequiredService<ProviderResilience>().For(provider, sp.GetRequiredService<IOptions<TOptions>>().Value.RequestsPerMinute)))
            .AddHttpMessageHandler(sp => new ProviderCallTelemetry(provider, sp.GetRequiredService<PayoutsMetrics>()));
        services.AddTransient<IPayoutProviderClient>(sp => sp.GetRequiredService<TClient>());
        services.AddSingleton<IProviderWebhookHandler, TWebhook>();
    }
}

/// <summary>Configuration section <c>Providers</c>: settings shared by all provider clients (see <see cref="ProviderResilience"/>).</summary>
public sealed class ProvidersOptions
{
    public const string Section = "Providers";

    /// <summary>How long one provider call may take before its outcome counts as unknown.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a call that is safe to repeat (look-ups, quotes), after the first attempt.</summary>
    [Range(0, 10)]
    public int RetryAttempts { get; set; } = 2;

    /// <summary>Pause before the first retry; later ones grow exponentially, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Share of failed calls, within the sampling duration, that opens a provider's circuit.</summary>
    [Range(typeof(decimal), "0.01", "1", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public decimal CircuitFailureRatio { get; set; } = 0.5m;

    /// <summary>Calls needed within the sampling duration before the circuit may open.</summary>
    [Range(2, 10_000)]
    public int CircuitMinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit refuses calls before one is let through to test the provider.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>What every provider's options have in common.</summary>
public interface IProviderOptions
{
    /// <summary>The provider's API root.</summary>
    Uri? BaseUrl { get; }

    /// <summary>Calls per minute this client allows itself: the provider's documented limit, or our assumption where it has none.</summary>
    int RequestsPerMinute { get; }
}

/// <summary>Finds the client and webhook handler of one configured provider.</summary>
public sealed class PayoutProviders(IEnumerable<IPayoutProviderClient> clients, IEnumerable<IProviderWebhookHandler> webhooks, ConfiguredProviders configured)
{
    public ConfiguredProviders Configured => configured;

    /// <summary>Only a configured provider has a client: a payout of another was rejected, or its provider was unconfigured since.</summary>
    public IPayoutProviderClient Client(PayoutProvider provider) =>
        clients.FirstOrDefault(c => c.Provider == provider)
        ?? throw new ProviderUnavailableException(provider, configured.Describe(provider));

    public IProviderWebhookHandler? Webhook(PayoutProvider provider) => webhooks.FirstOrDefault(w => w.Provider == provider);
}
