using System.Diagnostics;
using MassTransit;
using Payouts.Bus.Observability;

namespace Payouts.Bus.Sagas;

/// <summary>
/// Counts every state change, measures request→terminal time, and marks the consuming span with
/// the payout and the transition, so a trace shows what each message did to the payout.
/// </summary>
/// <remarks>
/// Observed when the saga changes state, before its transaction commits: a transition rolled back
/// and retried is counted twice. Rare, and acceptable for a rate; the database is the truth.
/// </remarks>
internal sealed class PayoutTransitionTelemetry(PayoutsMetrics metrics, TimeProvider clock, IReadOnlyList<State> terminal)
    : IStateObserver<PayoutState>
{
    public Task StateChanged(BehaviorContext<PayoutState> context, State currentState, State previousState)
    {
        var saga = context.Saga;
        var from = previousState?.Name ?? "Initial";
        var provider = saga.Provider.ToString();
        metrics.Transition(provider, from, currentState.Name);
        if (terminal.Contains(currentState))
            metrics.Terminal(provider, currentState.Name, clock.GetUtcNow().UtcDateTime - saga.CreatedAt);

        if (Activity.Current is { } span)
        {
            span.SetTag(PayoutsTelemetry.Tags.PayoutId, saga.CorrelationId);
            span.SetTag(PayoutsTelemetry.Tags.Provider, provider);
            span.AddEvent(new ActivityEvent("payout.transition", tags: new ActivityTagsCollection
            {
                [PayoutsTelemetry.Tags.FromState] = from, [PayoutsTelemetry.Tags.State] = currentState.Name,
            }));
        }
        return Task.CompletedTask;
    }
}
