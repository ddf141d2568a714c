using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Providers.Calypso;

/// <summary>Configuration section <c>Providers:Calypso</c>.</summary>
public sealed class CalypsoOptions : IProviderOptions
{
    public const string Section = "Providers:Calypso";

    /// <summary>API root, e.g. https://api.calypso.money (paths start with api/v1).</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>The merchant account address, <c>0x</c> and 40 hex digits.</summary>
    [Required, RegularExpression("^0x[0-9a-fA-F]{40}$")]
    public string Account { get; set; } = "";

    /// <summary>Public key, sent as the <c>Key</c> header.</summary>
    [Required]
    public string PublicKey { get; set; } = "";

    /// <summary>Secret that signs requests (<c>Sign</c> = HMAC-SHA512 of the body).</summary>
    [Required]
    public string Secret { get; set; } = "";

    /// <summary>Secret of the webhook subscription, which signs webhooks the same way.</summary>
    [Required]
    public string WebhookSecret { get; set; } = "";

    /// <summary>Assumption: Calypso documents no rate limit; 600 per minute (10 per second) is our own restraint.</summary>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 600;
}
