using Payouts.Bus.Host.Access;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Payouts.Bus.Observability;

namespace Payouts.Bus.Host.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// The processor's meter and the gauges' database reader, and OpenTelemetry on the host: our
    /// spans and MassTransit's, ASP.NET Core, outgoing HTTP (provider calls) and Npgsql; our metrics,
    /// MassTransit's, ASP.NET Core's, HttpClient's and the runtime's, served for Prometheus at
    /// <c>/metrics</c> and, when <c>Telemetry:OtlpEndpoint</c> is set, exported over OTLP/HTTP.
    /// </summary>
    public static IServiceCollection AddPayoutsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<PayoutsMetrics>();
        services.AddHostedService<PayoutsSnapshotService>();

        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource([.. PayoutsTelemetry.TracedSources])
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(PayoutsTelemetry.Name, "MassTransit", "Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());

        if (options.OtlpEndpoint is { } otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddOtlpExporter(o => Otlp(o, otlp, "v1/traces")));
            telemetry.WithMetrics(metrics => metrics.AddOtlpExporter((o, reader) =>
            {
                Otlp(o, otlp, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
            }));
        }
        return services;
    }

    /// <summary><c>GET /metrics</c>: every metric above in Prometheus' text format.</summary>
    public static IEndpointRouteBuilder MapPayoutsMetrics(this IEndpointRouteBuilder app)
    {
        // Figures of money moved are for operators: the scraper sends an operations key (deploy/prometheus.yml).
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Scopes.Operations);
        return app;
    }

    private static void Otlp(OtlpExporterOptions exporter, Uri endpoint, string signal)
    {
        exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = new Uri(endpoint, signal);
    }
}
