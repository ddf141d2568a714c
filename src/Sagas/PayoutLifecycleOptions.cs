using System.ComponentModel.DataAnnotations;

namespace Payouts.Bus.Sagas;

/// <summary>Configuration section <c>Payouts:Lifecycle</c>: the saga's timers.</summary>
public sealed class PayoutLifecycleOptions
{
    public const string Section = "Payouts:Lifecycle";

    /// <summary>A payout awaiting confirmation expires after this (Dfns: 24 hours).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ConfirmationTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A confirmed payout should be submitted on chain within this (Dfns: 4 hours). When it is
    /// not, the saga asks the provider and flags the payout; it never declares it expired itself,
    /// because funds may already be moving.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SubmissionTimeout { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How often an in-flight payout's status is polled at the provider (Dfns sends no completion webhook).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan StatusPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A payout still not acknowledged by its provider this long after it was accepted is submitted
    /// again (after an earlier attempt the provider clients find its create first, and the
    /// submission lease keeps two attempts from overlapping, so nothing is paid twice); likewise a
    /// confirmation the provider still awaits this long after it was sent is sent again. This
    /// recovers a command lost without a restart (a restart on the in-memory transport resubmits at
    /// once). Long enough for a slow provider to answer the first submission with all its retries.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SubmissionCheckDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long to wait before submitting again when every retry of a submission failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan SubmitRetryDelay { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Configuration section <c>Payouts:Approval</c>: who may confirm a payout.</summary>
public sealed class PayoutApprovalOptions
{
    public const string Section = "Payouts:Approval";

    /// <summary>Four eyes: the client that confirms a payout must not be the one that requested it.</summary>
    public bool RequireDifferentApprover { get; set; }
}
