namespace Payouts.Bus.Domain;

/// <summary>
/// Submissions of payouts to their providers. Each attempt is recorded, and committed, before the
/// provider is called, so that a submission knows whether an earlier one may have created the
/// payout: only then does it look the payout up first (at TheDex and OxaPay a history search, the
/// only guard they offer against paying twice). One attempt runs at a time per payout: two side by
/// side (a resubmission and a copy of the message resent after a crash, say) could both find
/// nothing and both create it.
/// </summary>
public interface IPayoutSubmissions
{
    /// <summary>Begins an attempt: takes the payout's lease and records the attempt.</summary>
    /// <returns>The attempt, which holds the payout until it is disposed; null while another attempt holds it.</returns>
    Task<SubmissionAttempt?> BeginAsync(Guid payoutId, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="provider"/> refused this (routed) payout before anything was created: it is not asked again.</summary>
    Task<bool> RefusedAsync(Guid payoutId, Contracts.PayoutProvider provider, CancellationToken cancellationToken);
}

/// <summary>
/// One attempt to submit a payout, holding the payout's lease until disposed. The lease is renewed
/// while the attempt runs, so a live attempt is never overtaken however slow its provider; one that
/// died with its process lapses within <see cref="Lease"/>, and the next attempt goes ahead.
/// </summary>
/// <param name="number">1 for the payout's first attempt.</param>
/// <param name="firstAttemptAt">When the payout's first attempt began: nothing of ours reached the provider before.</param>
public abstract class SubmissionAttempt(int number, DateTime firstAttemptAt) : IAsyncDisposable
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    public int Number { get; } = number;

    public DateTime FirstAttemptAt { get; } = firstAttemptAt;

    /// <summary>When an earlier attempt may have created the payout (null for the first attempt): look it up from then on.</summary>
    public DateTime? EarlierSince => Number > 1 ? FirstAttemptAt : null;

    /// <summary>Cancelled when the lease could not be renewed: the attempt must stop calling its provider.</summary>
    public abstract CancellationToken LeaseLost { get; }

    /// <summary>
    /// This first attempt's provider refused the (routed) payout and nothing was created: the provider is never asked to create it again (<see cref="IPayoutSubmissions.RefusedAsync"/>),
    /// and the attempt record goes, so the next attempt (at another provider, after a failover) is a first one.
    /// </summary>
    public abstract Task RecordRefusalAsync(Contracts.PayoutProvider provider);

    public abstract ValueTask DisposeAsync();
}
