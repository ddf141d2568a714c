using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Host;

/// <summary>Configuration section <c>Payouts</c>.</summary>
public sealed class PayoutsOptions
{
    public const string Section = "Payouts";

    /// <summary>This host's address as providers reach it; callback and webhook URLs are built on it.</summary>
    [Required]
    public Uri? PublicUrl { get; set; }

    /// <summary>How long the HTTP gateway waits for the saga's answer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan GatewayTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public Uri WebhookUrl(string provider) => new(PublicUrl!, $"webhooks/{provider}");
}

/// <summary>Configuration section <c>Bus</c>.</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary><c>InMemory</c>: the embedded default, messages live in this process only.</summary>
    [Required, AllowedValues("InMemory")]
    public string Transport { get; set; } = "InMemory";
}
