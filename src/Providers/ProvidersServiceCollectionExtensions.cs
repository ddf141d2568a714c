using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Observability;
using Payouts.Bus.Providers.Calypso;
using Payouts.Bus.Providers.Dfns;
using Payouts.Bus.Providers.OxaPay;
using Payouts.Bus.Providers.TheDex;

namespace Payouts.Bus.Providers;

public static class ProvidersServiceCollectionExtensions
{
    /// <summary>
    /// The four provider clients and webhook handlers, configured from <c>Providers:*</c>;
    /// their options are validated when the host starts, so a missing key stops it with a clear message.
    /// </summary>
    public static IServiceCollection AddPayoutProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PayoutsMetrics>();
        services.AddSingleton<TheDexNonce>();
        services.AddOptions<ProvidersOptions>().Bind(configuration.GetSection(ProvidersOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        AddProvider<DfnsClient, DfnsWebhook, DfnsOptions>(services, configuration, PayoutProvider.Dfns, DfnsOptions.Section, o => o.BaseUrl);
        AddProvider<TheDexClient, TheDexWebhook, TheDexOptions>(services, configuration, PayoutProvider.TheDex, TheDexOptions.Section, o => o.BaseUrl);
        AddProvider<CalypsoClient, CalypsoWebhook, CalypsoOptions>(services, configuration, PayoutProvider.Calypso, CalypsoOptions.Section, o => o.BaseUrl);
        AddProvider<OxaPayClient, OxaPayWebhook, OxaPayOptions>(services, configuration, PayoutProvider.OxaPay, OxaPayOptions.Section, o => o.BaseUrl);

        services.AddTransient<PayoutProviders>();
        return services;
    }

    private static void AddProvider<TClient, TWebhook, TOptions>(
        IServiceCollection services, IConfiguration configuration, PayoutProvider provider, string section, Func<TOptions, Uri?> baseUrl)
        where TClient : class, IPayoutProviderClient
        where TWebhook : class, IProviderWebhookHandler
        where TOptions : class
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<TClient>((sp, http) =>
        {
            // A trailing slash makes relative paths append to the base path instead of replacing its last segment.
            var root = baseUrl(sp.GetRequiredService<IOptions<TOptions>>().Value)!.ToString();
            http.BaseAddress = new Uri(root.EndsWith('/') ? root : root + "/");
            http.Timeout = sp.GetRequiredService<IOptions<ProvidersOptions>>().Value.RequestTimeout;
        }).AddHttpMessageHandler(sp => new ProviderCallTelemetry(provider, sp.GetRequiredService<PayoutsMetrics>()));
        services.AddTransient<IPayoutProviderClient>(sp => sp.GetRequiredService<TClient>());
        services.AddSingleton<IProviderWebhookHandler, TWebhook>();
    }
}

/// <summary>Configuration section <c>Providers</c>: settings shared by all provider clients.</summary>
public sealed class ProvidersOptions
{
    public const string Section = "Providers";

    /// <summary>How long one provider call may take before its outcome counts as unknown.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Finds the client and webhook handler of one provider.</summary>
public sealed class PayoutProviders(IEnumerable<IPayoutProviderClient> clients, IEnumerable<IProviderWebhookHandler> webhooks)
{
    public IPayoutProviderClient Client(PayoutProvider provider) =>
        clients.FirstOrDefault(c => c.Provider == provider)
        ?? throw new InvalidOperationException($"No client is registered for {provider}.");

    public IProviderWebhookHandler Webhook(PayoutProvider provider) =>
        webhooks.FirstOrDefault(w => w.Provider == provider)
        ?? throw new InvalidOperationException($"No webhook handler is registered for {provider}.");
}
