using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Providers.Dfns;

/// <summary>Configuration section <c>Providers:Dfns</c>.</summary>
public sealed class DfnsOptions
{
    public const string Section = "Providers:Dfns";

    /// <summary>API root, e.g. https://api.dfns.io (Europe) or https://api.uae.dfns.io.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>Service account bearer token.</summary>
    [Required]
    public string ApiToken { get; set; } = "";

    /// <summary>Secret of the webhook subscription; signs <c>X-DFNS-WEBHOOK-SIGNATURE</c>.</summary>
    [Required]
    public string WebhookSecret { get; set; } = "";

    /// <summary>Webhooks whose <c>timestampSent</c> is further from now than this are refused (Dfns: 5 minutes).</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);
}
