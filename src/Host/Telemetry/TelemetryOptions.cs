using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Host.Telemetry;

/// <summary>Configuration section <c>Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// An OpenTelemetry collector's OTLP/HTTP base address (e.g. http://otel-collector:4318): traces
    /// and metrics are exported there. Unset: nothing leaves the process (the dashboard page still works).
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>The <c>service.name</c> of every span and metric.</summary>
    [Required]
    public string ServiceName { get; set; } = "payouts-bus";

    /// <summary>How often the gauges (payouts by state, stuck payouts, outbox backlog) are read from the database.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A payout that waits for the processor or its provider (Requested, Submitted, Confirming, Canceling) longer than this is stuck.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often metrics are pushed to the collector.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);
}
