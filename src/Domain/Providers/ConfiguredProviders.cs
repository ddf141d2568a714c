using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// The providers this processor has credentials for. A payout to any other is rejected
/// (<see cref="NotConfigured"/>) before anything is sent: an unconfigured provider is disabled,
/// never pointed at a simulator.
/// </summary>
public sealed class ConfiguredProviders(IEnumerable<PayoutProvider> enabled)
{
    public const string NotConfigured = "provider_not_configured";

    private readonly HashSet<PayoutProvider> _enabled = [.. enabled];

    public static ConfiguredProviders Every => new(Enum.GetValues<PayoutProvider>());

    public bool Has(PayoutProvider provider) => _enabled.Contains(provider);

    public string Describe(PayoutProvider provider) =>
        $"{provider} is not configured on this processor (Providers:{provider}); configured: {(_enabled.Count == 0 ? "none" : string.Join(", ", _enabled.Order()))}.";
}
