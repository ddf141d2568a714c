using Payouts.Bus.Domain;

namespace Payouts.Bus.Persistence;

/// <summary>The submission lock as a database lock, held by the consuming message's transaction.</summary>
internal sealed class PayoutSubmissionLock(PayoutsDbContext db) : IPayoutSubmissionLock
{
    public Task HoldAsync(Guid payoutId, CancellationToken cancellationToken) =>
        SqlDialect.LockSubmissionAsync(db, payoutId, cancellationToken);
}
