using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Providers.TheDex;

/// <summary>Configuration section <c>Providers:TheDex</c>.</summary>
public sealed class TheDexOptions : IProviderOptions
{
    public const string Section = "Providers:TheDex";

    /// <summary>API root including <c>/api/v1</c>, e.g. https://app.thedex.cloud/api/v1.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    [Required]
    public string ApiKey { get; set; } = "";

    /// <summary>Signs requests and callbacks (HMAC-SHA512).</summary>
    [Required]
    public string ApiSecret { get; set; } = "";

    /// <summary>Where TheDex posts payout callbacks: this host's <c>/webhooks/thedex</c>.</summary>
    [Required]
    public Uri? CallbackUrl { get; set; }

    /// <summary>
    /// When a payout is looked up in the history, the search starts this much before our first
    /// attempt (or the request) and ends this much after now: room for the provider's clock to differ from ours.
    /// </summary>
    public TimeSpan LookupMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Assumption: TheDex documents no rate limit; 600 per minute (10 per second) is our own restraint.</summary>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 600;
}
