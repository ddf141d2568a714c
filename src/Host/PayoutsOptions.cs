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

/// <summary>Configuration section <c>Bus</c>; the broker itself is <c>ConnectionStrings:RabbitMq</c>.</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";
    public const string InMemory = "InMemory";
    public const string RabbitMq = "RabbitMq";
    public const string ConnectionStringName = "RabbitMq";

    /// <summary>
    /// <c>InMemory</c>: the embedded default, messages live in this process only.
    /// <c>RabbitMq</c>: durable queues on the broker at <c>ConnectionStrings:RabbitMq</c>
    /// (<c>amqp://user:password@host:5672/vhost</c>), with publisher confirms.
    /// </summary>
    [Required, AllowedValues(InMemory, RabbitMq)]
    public string Transport { get; set; } = InMemory;

    /// <summary>Messages each consumer takes from the broker ahead of processing them.</summary>
    [Range(1, 1000)]
    public ushort PrefetchCount { get; set; } = 16;

    /// <summary>Messages one endpoint processes at once; unset means the prefetch count.</summary>
    [Range(1, 1000)]
    public int? ConcurrentMessageLimit { get; set; }

    /// <summary>Declare quorum queues, for a clustered broker.</summary>
    public bool QuorumQueues { get; set; }

    /// <summary>
    /// Signs and checks the processor's internal messages on RabbitMQ (required there, at least 32
    /// characters, the same on every host of one processor). On the in-memory bus nothing outside
    /// the process can send, and it is not used.
    /// </summary>
    public string? InternalMessageKey { get; set; }
}
