using Microsoft.Extensions.Options;
using Payouts.Bus.Providers.Calypso;
using Payouts.Bus.Providers.Dfns;
using Payouts.Bus.Providers.OxaPay;
using Payouts.Bus.Providers.TheDex;
using Payouts.Bus.Sandbox;

namespace Payouts.Bus.Host;

/// <summary>
/// The embedded default: with <c>Sandbox:Enabled</c> the host starts the provider sandbox in-process
/// and points every provider client at it, with the sandbox's credentials, unless a provider is
/// configured explicitly. Callback URLs default to this host's <c>/webhooks/{provider}</c> either way.
/// </summary>
public static class EmbeddedSandbox
{
    public static IServiceCollection AddEmbeddedSandbox(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var sandbox = configuration.GetSection(SandboxOptions.Section).Get<SandboxOptions>() ?? new SandboxOptions();
        // Fails closed: a production host pointed at a simulator would report unpaid payouts as paid.
        if (sandbox.Enabled && environment.IsProduction() && !sandbox.UnsafeAllowInProduction)
            throw new InvalidOperationException(
                "Sandbox:Enabled is on in Production: the in-process sandbox pays nothing and would report payouts completed. " +
                "Configure the providers (Providers:<Provider>:…) and turn the sandbox off; for a load test of a production build only, " +
                "Sandbox:UnsafeAllowInProduction=true allows it.");

        services.AddOptions<TheDexOptions>().PostConfigure<IOptions<PayoutsOptions>>((o, host) => o.CallbackUrl ??= host.Value.WebhookUrl("thedex"));
        services.AddOptions<OxaPayOptions>().PostConfigure<IOptions<PayoutsOptions>>((o, host) => o.CallbackUrl ??= host.Value.WebhookUrl("oxapay"));
        if (!sandbox.Enabled)
            return services;

        services.AddOptions<DfnsOptions>().PostConfigure(o =>
        {
            o.BaseUrl ??= new Uri(sandbox.Url, "dfns");
            o.ApiToken = Default(o.ApiToken, sandbox.DfnsApiToken);
            o.WebhookSecret = Default(o.WebhookSecret, sandbox.DfnsWebhookSecret);
            o.CredentialId = Default(o.CredentialId, sandbox.DfnsCredentialId);
            o.CredentialPrivateKey = Default(o.CredentialPrivateKey, sandbox.DfnsCredentialPrivateKey);
        });
        services.AddOptions<TheDexOptions>().PostConfigure(o =>
        {
            o.BaseUrl ??= new Uri(sandbox.Url, "thedex/api/v1");
            o.ApiKey = Default(o.ApiKey, sandbox.TheDexApiKey);
            o.ApiSecret = Default(o.ApiSecret, sandbox.TheDexApiSecret);
        });
        services.AddOptions<CalypsoOptions>().PostConfigure(o =>
        {
            o.BaseUrl ??= new Uri(sandbox.Url, "calypso");
            o.Account = Default(o.Account, sandbox.CalypsoAccount);
            o.PublicKey = Default(o.PublicKey, sandbox.CalypsoPublicKey);
            o.Secret = Default(o.Secret, sandbox.CalypsoSecret);
            o.WebhookSecret = Default(o.WebhookSecret, sandbox.CalypsoWebhookSecret);
        });
        services.AddOptions<OxaPayOptions>().PostConfigure(o =>
        {
            o.BaseUrl ??= new Uri(sandbox.Url, "oxapay/v1");
            o.PayoutApiKey = Default(o.PayoutApiKey, sandbox.OxaPayPayoutApiKey);
        });

        // Registered before the bus so that providers answer before the first message is consumed.
        services.AddProviderSandbox(configuration, (sp, options) =>
        {
            var host = sp.GetRequiredService<IOptions<PayoutsOptions>>().Value;
            options.DfnsWebhookUrl ??= host.WebhookUrl("dfns");
            options.CalypsoWebhookUrl ??= host.WebhookUrl("calypso");
        });
        return services;
    }

    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetSection(SandboxOptions.Section).Get<SandboxOptions>()?.Enabled ?? false;

    private static string Default(string configured, string sandbox) => string.IsNullOrEmpty(configured) ? sandbox : configured;
}
