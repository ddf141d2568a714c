using MassTransit;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Persistence;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Host;

/// <summary>
/// On the in-memory transport, messages in flight die with the process; what was committed does
/// not. At start, every payout not yet in a terminal state gets a <see cref="ResumePayout"/>, which
/// re-arms it from its stored state. (On RabbitMQ the messages in flight wait in the broker.)
/// </summary>
internal sealed class ResumeInFlightPayouts(IServiceScopeFactory scopes, IBus bus, IHostApplicationLifetime lifetime,
    ILogger<ResumeInFlightPayouts> logger) : BackgroundService
{
    private static readonly string[] Terminal =
    [
        nameof(PayoutStateMachine.Completed), nameof(PayoutStateMachine.Failed), nameof(PayoutStateMachine.Canceled),
        nameof(PayoutStateMachine.Expired), nameof(PayoutStateMachine.Rejected),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wait until the host, and with it the bus, has started.
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        var inFlight = await db.Payouts.AsNoTracking()
            .Where(p => !Terminal.Contains(p.CurrentState))
            .Select(p => p.CorrelationId)
            .ToListAsync(stoppingToken);
        foreach (var payoutId in inFlight)
            await bus.Publish(new ResumePayout(payoutId), stoppingToken);
        if (inFlight.Count > 0)
            logger.LogInformation("Resumed {Count} payouts in flight after start", inFlight.Count);
    }
}
