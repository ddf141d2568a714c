namespace Payouts.Bus.Domain;

/// <summary>
/// One submission of a payout to its provider at a time. A submission looks the payout up at the
/// provider before it creates it; two submissions running side by side (a resubmission timer and
/// a message resent after a crash, say) could both find nothing and both create it: paid twice.
/// </summary>
public interface IPayoutSubmissionLock
{
    /// <summary>Waits for any other submission of the payout to end; held until this message's transaction ends.</summary>
    Task HoldAsync(Guid payoutId, CancellationToken cancellationToken);
}
