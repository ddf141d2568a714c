using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Where a verified provider webhook is handed over: stored for the saga, in the outbox, before the
/// provider gets its answer, so that an acknowledged webhook is never lost.
/// </summary>
public sealed class ProviderUpdateInbox(PayoutsDbContext db, PayoutsBusOutbox outbox)
{
    /// <summary>The payout a webhook names, as stored now (not tracked), or null when it is none of ours.</summary>
    public Task<PayoutState?> FindAsync(Guid payoutId, CancellationToken cancellationToken) =>
        db.Payouts.AsNoTracking().FirstOrDefaultAsync(p => p.CorrelationId == payoutId, cancellationToken);

    /// <param name="messageId">The same for every delivery of one provider event, so that it reaches the saga once.</param>
    public Task StoreAsync(ProviderPayoutUpdated update, Guid messageId, CancellationToken cancellationToken) =>
        outbox.PublishAsync(update, messageId, cancellationToken);
}
