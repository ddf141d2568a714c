using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Providers.Dfns;

/// <summary>Configuration section <c>Providers:Dfns</c>.</summary>
public sealed class DfnsOptions : IProviderOptions, IValidatableObject
{
    public const string Section = "Providers:Dfns";

    /// <summary>API root, e.g. https://api.dfns.io (Europe) or https://api.uae.dfns.io.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>Service account bearer token.</summary>
    [Required]
    public string ApiToken { get; set; } = "";

    /// <summary>Id of the service account's credential that signs user actions (<c>credId</c>).</summary>
    [Required]
    public string CredentialId { get; set; } = "";

    /// <summary>That credential's private key: ECDSA P-256, PKCS#8 PEM.</summary>
    [Required]
    public string CredentialPrivateKey { get; set; } = "";

    /// <summary>
    /// The <c>origin</c> in signed clientData. Assumption: Dfns documents it only as the application's
    /// origin; a service account may use any fixed one it was registered with.
    /// </summary>
    [Required]
    public string AppOrigin { get; set; } = "https://payouts.bus";

    /// <summary>Secret of the webhook subscription; signs <c>X-DFNS-WEBHOOK-SIGNATURE</c>.</summary>
    [Required]
    public string WebhookSecret { get; set; } = "";

    /// <summary>Webhooks whose <c>timestampSent</c> is further from now than this are refused (Dfns: 5 minutes).</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Dfns documents 1000 requests per minute (100 for trial organisations).</summary>
    [Range(1, 100_000)]
    public int RequestsPerMinute { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(CredentialPrivateKey))
            yield break;
        string? problem = null;
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportFromPem(CredentialPrivateKey);
            if (key.KeySize != 256)
                problem = $"is a {key.KeySize}-bit EC key; Dfns user actions are signed here with P-256";
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            problem = $"is not an EC private key in PEM: {e.Message}";
        }
        if (problem is not null)
            yield return new ValidationResult($"Providers:Dfns:CredentialPrivateKey {problem}", [nameof(CredentialPrivateKey)]);
    }
}
