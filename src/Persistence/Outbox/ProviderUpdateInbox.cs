using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Where a verified provider webhook is handed over: stored for the saga, in the outbox, before the
/// provider gets its answer, so that an acknowledged webhook is never lost.
/// </summary>
public sealed class ProviderUpdateInbox(PayoutsDbContext db, PayoutsBusOutbox outbox)
{
    /// <param name="messageId">The same for every delivery of one provider event, so that it reaches the saga once.</param>
    /// <param name="continueTrace">Opens the span the update is stored under, given the payout's trace context.</param>
    /// <returns>False, storing nothing, when the update names a payout we do not have.</returns>
    public async Task<bool> StoreAsync(ProviderPayoutUpdated update, Guid messageId, Func<string?, Activity?> continueTrace,
        CancellationToken cancellationToken)
    {
        var payout = await db.Payouts.AsNoTracking().Where(p => p.CorrelationId == update.PayoutId)
            .Select(p => new { p.TraceParent }).FirstOrDefaultAsync(cancellationToken);
        if (payout is null)
            return false;
        using (continueTrace(payout.TraceParent))
            await outbox.PublishAsync(update, messageId, cancellationToken);
        return true;
    }
}
