using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// What the processor knows of one provider, apart from its wire format: the assets it pays, and
/// the facts that decide how a payout through it is run.
/// </summary>
/// <param name="HasIdempotencyKey">
/// The provider takes our key on create and refuses a second create with it. Without one, a create
/// whose outcome is unknown must be looked up before it is ever sent again.
/// </param>
/// <param name="SendsCompletionWebhooks">The provider reports completion by webhook; polling is then only a fallback.</param>
/// <param name="NeedsConfirmation">A payout waits for the caller's <see cref="ConfirmPayout"/> before money moves.</param>
public sealed record ProviderProfile(
    PayoutProvider Provider,
    IReadOnlyList<ProviderAsset> Assets,
    bool HasIdempotencyKey,
    bool SendsCompletionWebhooks,
    bool NeedsConfirmation)
{
    public ProviderAsset? Find(string currency, string network) =>
        Assets.FirstOrDefault(a =>
            string.Equals(a.Currency, currency, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(a.Network, network, StringComparison.OrdinalIgnoreCase));

    /// <summary>The asset of an amount that validation already accepted.</summary>
    public ProviderAsset Get(Money amount) =>
        Find(amount.Currency, amount.Network)
        ?? throw new InvalidOperationException($"{Provider} does not pay out {amount.Currency} on {amount.Network}; the request should have been rejected.");
}

/// <summary>Every provider's profile. Adding a provider adds its profile here.</summary>
public static class ProviderProfiles
{
    public static readonly IReadOnlyList<ProviderProfile> All =
        [DfnsProfile.Profile, TheDexProfile.Profile, CalypsoProfile.Profile, OxaPayProfile.Profile];

    public static ProviderProfile For(PayoutProvider provider) =>
        All.FirstOrDefault(p => p.Provider == provider)
        ?? throw new ArgumentOutOfRangeException(nameof(provider), provider, "No such provider.");
}
