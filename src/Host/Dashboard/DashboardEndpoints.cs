using Payouts.Bus.Host.Access;
using Microsoft.Extensions.Options;
using Payouts.Bus.Host.Telemetry;
using Payouts.Bus.Domain;
using Payouts.Bus.Observability;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Host.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: one page for the operator on call — payouts by state and provider,
/// what ended in the last minute, recent failures with their reasons, stuck payouts, provider
/// health and the outbox backlog — refreshed every two seconds from <c>GET /dashboard/data</c>.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly string Page = ReadPage();

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard", () => Results.Content(Page, "text/html; charset=utf-8")).ExcludeFromDescription().RequireAuthorization(Scopes.Operations);
        app.MapGet("/dashboard/data", DataAsync).WithTags("Dashboard").WithSummary("The dashboard's figures, read now").RequireAuthorization(Scopes.Operations);
        return app;
    }

    private static async Task<IResult> DataAsync(PayoutsOverview overview, PayoutsMetrics metrics, TimeProvider clock,
        IOptions<TelemetryOptions> options, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var stuckAfter = options.Value.StuckAfter;
        var snapshot = await overview.SnapshotAsync(now, stuckAfter, cancellationToken);
        return Results.Json(new
        {
            takenAt = now,
            states = PayoutStates.All,
            unsuccessfulStates = PayoutStates.Unsuccessful,
            stuckAfterSeconds = stuckAfter.TotalSeconds,
            payouts = snapshot.Payouts,
            endedLastMinute = await overview.EndedSinceAsync(now.AddMinutes(-1), cancellationToken),
            recentFailures = await overview.RecentFailuresAsync(20, cancellationToken),
            stuck = await overview.StuckAsync(now, stuckAfter, 20, cancellationToken),
            providers = metrics.ProviderCalls.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new { provider = p.Key, p.Value.Calls, p.Value.Errors, p.Value.LastError, p.Value.LastErrorAt }),
            deadLetters = metrics.DeadLetters.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => new { queue = q.Key, messages = q.Value }),
            outbox = new { backlog = snapshot.OutboxBacklog, oldestAgeSeconds = snapshot.OutboxOldestAge.TotalSeconds, scheduled = snapshot.ScheduledPending, setAside = snapshot.OutboxSetAside },
        });
    }

    private static string ReadPage()
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("dashboard.html")
            ?? throw new InvalidOperationException("dashboard.html is not embedded in the host.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
