using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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
    /// The processor's meter, the gauges' database reader and, when <c>Telemetry:OtlpEndpoint</c> is
    /// set, OpenTelemetry tracer and meter providers exporting over OTLP/HTTP. The providers are built
    /// with the core SDK (the hosting package is not available here) as singletons, created when the
    /// host starts and disposed (flushed) with it.
    /// </summary>
    public static IServiceCollection AddPayoutsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<PayoutsMetrics>();
        services.AddHostedService<PayoutsSnapshotService>();

        var otlp = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>()?.OtlpEndpoint;
        if (otlp is null)
            return services;

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TelemetryOptions>>().Value;
            var builder = Sdk.CreateTracerProviderBuilder().ConfigureResource(r => r.AddService(options.ServiceName));
            foreach (var source in PayoutsTelemetry.TracedSources)
                builder.AddSource(source);
            return builder.AddOtlpExporter(o => Otlp(o, options, "v1/traces")).Build();
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<TelemetryOptions>>().Value;
            return Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService(options.ServiceName))
                .AddMeter(PayoutsTelemetry.Name, "MassTransit")
                .AddOtlpExporter((o, reader) =>
                {
                    Otlp(o, options, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                })
                .Build();
        });
        services.AddHostedService<StartTelemetryExport>();
        return services;
    }

    private static void Otlp(OtlpExporterOptions exporter, TelemetryOptions options, string signal)
    {
        exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = new Uri(options.OtlpEndpoint!, signal);
    }

    /// <summary>Builds the providers before anything else starts, so the first payout is traced too.</summary>
    private sealed class StartTelemetryExport(TracerProvider tracing, MeterProvider metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tracing);
            GC.KeepAlive(metrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
