using Microsoft.Extensions.Options;
using Payouts.Bus.Host.DeadLetters;
using Payouts.Bus.Observability;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Host.Telemetry;

/// <summary>Reads the gauges' figures from the database, and the dead letters from the broker, every <see cref="TelemetryOptions.SnapshotInterval"/>.</summary>
internal sealed class PayoutsSnapshotService(
    IServiceScopeFactory scopes, DeadLetterQueues deadLetters, PayoutsMetrics metrics, TimeProvider clock, IOptions<TelemetryOptions> options, ILogger<PayoutsSnapshotService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SnapshotInterval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var overview = scope.ServiceProvider.GetRequiredService<PayoutsOverview>();
                metrics.Observe(await overview.SnapshotAsync(clock.GetUtcNow().UtcDateTime, options.Value.StuckAfter, stoppingToken));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The gauges keep their last figures; the next tick tries again.
                logger.LogWarning(e, "Reading the payout figures for the gauges failed");
            }
            if (deadLetters.Available)
            {
                try
                {
                    metrics.ObserveDeadLetters((await deadLetters.QueuesAsync(stoppingToken)).ToDictionary(q => q.Name, q => q.Messages));
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Counting the dead letters for the gauges failed");
                }
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
