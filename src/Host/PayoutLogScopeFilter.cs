using System.Diagnostics;
using System.Reflection;
using MassTransit;
using Payouts.Bus.Observability;

namespace Payouts.Bus.Host;

/// <summary>
/// Every message that names a payout (a <c>PayoutId</c> property) is consumed inside a log scope
/// carrying that id, and its span is tagged with it: every log line and span about a payout can be
/// found by the payout's id, whichever consumer wrote it.
/// </summary>
public sealed class PayoutLogScopeFilter<T>(ILogger<PayoutLogScopeFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    // Read once per message type; null when the type names no payout.
    private static readonly PropertyInfo? PayoutIdProperty =
        typeof(T).GetProperty("PayoutId", BindingFlags.Public | BindingFlags.Instance) is { PropertyType: var type } property && type == typeof(Guid)
            ? property
            : null;

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (PayoutIdProperty?.GetValue(context.Message) is not Guid payoutId || payoutId == Guid.Empty)
        {
            await next.Send(context);
            return;
        }
        Activity.Current?.SetTag(PayoutsTelemetry.Tags.PayoutId, payoutId);
        using (logger.BeginScope(new Dictionary<string, object> { ["PayoutId"] = payoutId }))
            await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("payout-log-scope");
}
