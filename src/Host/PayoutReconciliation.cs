using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Payouts.Bus.Domain;
using Payouts.Bus.Observability;
using Payouts.Bus.Persistence;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Host;

/// <summary>Configuration section <c>Payouts:Reconciliation</c>.</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Payouts:Reconciliation";

    /// <summary>How often in-flight payouts are looked over.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A payout at its provider with no change for this long is checked there again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "7.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Keeps payouts from being silently stuck. Every <see cref="ReconciliationOptions.Interval"/>, each
/// payout at its provider (Submitted, AwaitingConfirmation, Confirming, Canceling) that has not
/// changed for <see cref="ReconciliationOptions.StaleAfter"/> gets a <see cref="ResumePayout"/>: the
/// saga asks the provider and polls again, so drift (a lost webhook, a broken poll chain) is
/// corrected through the usual provider events. A payout no check moves keeps its old last change
/// and shows in the <c>payouts.stuck</c> gauge and on the dashboard.
/// On the in-memory transport, whose messages in flight die with the process, every payout not yet
/// ended is also resumed once at start.
/// </summary>
internal sealed class PayoutReconciliation(IServiceScopeFactory scopes, IBus bus, IHostApplicationLifetime lifetime, TimeProvider clock,
    IOptions<ReconciliationOptions> options, IOptions<BusOptions> transport, PayoutsMetrics metrics, ILogger<PayoutReconciliation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wait until the host, and with it the bus, has started.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(stoppingToken);

        if (transport.Value.Transport == BusOptions.InMemory)
            await ResumeAfterRestartUntilDoneAsync(stoppingToken);

        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Reconciliation pass failed; trying again in {Interval}", options.Value.Interval);
            }
        }
    }

    /// <summary>A database that is out of reach at start delays the resumption; it never stops the host.</summary>
    private async Task ResumeAfterRestartUntilDoneAsync(CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                await ResumeAfterRestartAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Resuming the payouts in flight after start failed; trying again in {Pause}", pause);
                await Task.Delay(pause, clock, stoppingToken);
            }
        }
    }

    private async Task ResumeAfterRestartAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        var inFlight = await db.Payouts.AsNoTracking()
            .Where(p => !PayoutStates.Terminal.Contains(p.CurrentState))
            .Select(p => p.CorrelationId)
            .ToListAsync(stoppingToken);
        foreach (var payoutId in inFlight)
            await bus.Publish(new ResumePayout(payoutId), stoppingToken);
        if (inFlight.Count > 0)
            logger.LogInformation("Resumed {Count} payouts in flight after start", inFlight.Count);
    }

    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        var staleBefore = clock.GetUtcNow().UtcDateTime - options.Value.StaleAfter;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        var stale = await db.Payouts.AsNoTracking()
            .Where(p => PayoutStates.AtProvider.Contains(p.CurrentState) && p.UpdatedAt < staleBefore)
            .Select(p => new { p.CorrelationId, p.Provider, p.CurrentState })
            .ToListAsync(stoppingToken);
        foreach (var payout in stale)
        {
            await bus.Publish(new ResumePayout(payout.CorrelationId, Reconciliation: true), stoppingToken);
            metrics.Reconciled(payout.Provider.ToString(), payout.CurrentState);
        }
        if (stale.Count > 0)
            logger.LogInformation("Reconciliation: {Count} payouts unchanged since before {StaleBefore:u} checked again at their providers", stale.Count, staleBefore);
    }
}
