using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Providers.OxaPay;

/// <summary>Configuration section <c>Providers:OxaPay</c>.</summary>
public sealed class OxaPayOptions : IProviderOptions
{
    public const string Section = "Providers:OxaPay";

    /// <summary>API root including <c>/v1</c>, e.g. https://api.oxapay.com/v1.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>Sent as <c>payout_api_key</c>; also the secret of callback signatures.</summary>
    [Required]
    public string PayoutApiKey { get; set; } = "";

    /// <summary>Where OxaPay posts payout callbacks: this host's <c>/webhooks/oxapay</c>.</summary>
    [Required]
    public Uri? CallbackUrl { get; set; }

    /// <summary>
    /// When a payout is looked up in the history, the search starts this much before our first
    /// attempt (or the request) and ends this much after now: room for the provider's clock to differ from ours.
    /// </summary>
    public TimeSpan LookupMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Assumption: OxaPay documents no figure (only that it answers 429); 600 per minute (10 per second) is our own restraint.</summary>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 600;
}
