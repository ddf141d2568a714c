using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Payouts.Bus.Host.Access;
using Payouts.Bus.Host.Batches;
using Payouts.Bus.Host.Dashboard;
using Payouts.Bus.Host.Gateway;
using Payouts.Bus.Host.DeadLetters;
using Payouts.Bus.Host.Routing;
using Payouts.Bus.Host.Telemetry;
using Payouts.Bus.Persistence;
using Payouts.Bus.Providers;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Host;

/// <summary>The host's composition root: one call per module.</summary>
public static class PayoutsHostExtensions
{
    public static WebApplicationBuilder AddPayoutsBus(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<PayoutsOptions>().Bind(configuration.GetSection(PayoutsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddEmbeddedSandbox(configuration, builder.Environment);
        builder.Services.AddPayoutProviders(configuration, sandboxed: EmbeddedSandbox.IsEnabled(configuration));
        builder.Services.AddProviderFeeQuotes();
        builder.Services.AddPayoutLifecycle(configuration);
        builder.Services.AddPayoutsPersistence(configuration);
        builder.Services.AddPayoutsAccess(configuration, builder.Environment);
        // After persistence: hosted services start in order, and the gauges read migrated tables.
        builder.Services.AddPayoutsTelemetry(configuration);
        builder.Services.AddPayoutMessaging(configuration);
        builder.Services.AddPayoutGateway();
        builder.Services.AddDeadLetterTools();
        builder.Services.AddPayoutBatches();
        return builder;
    }

    public static WebApplication MapPayoutsBus(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        // After authentication: the limit is per client.
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapPayoutEndpoints();
        app.MapPayoutBatchEndpoints();
        app.MapDeadLetterEndpoints();
        app.MapWebhookEndpoints();
        app.MapDashboard();
        app.MapPayoutsMetrics();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        // Degraded is not ready: MassTransit reports a faulted or stalled receive endpoint so, and a
        // load balancer must stop sending to a host whose queues are not being consumed.
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = HealthReportJson.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }
}
