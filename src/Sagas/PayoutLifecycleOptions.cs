using System.ComponentModel.DataAnnotations;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;

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

    /// <summary>
    /// The first status poll of a payout at a provider that sends no completion webhook (Dfns),
    /// after it took the payout. Every poll that brings no news doubles the wait for the next, up
    /// to <see cref="StatusPollMaxInterval"/>; news starts the doubling again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan StatusPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// At a provider that reports completion by webhook (TheDex, Calypso, OxaPay), polling is only a
    /// fallback: the first poll comes this long after the provider took the payout, then doubles
    /// like <see cref="StatusPollInterval"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan StatusPollQuietPeriod { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest wait between two status polls of a payout in flight.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan StatusPollMaxInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The wait before the next status poll of a payout at <paramref name="provider"/> after
    /// <paramref name="pollsWithoutNews"/> polls that brought nothing new: polls only when news is
    /// overdue, so that a payout waiting hours (a Dfns confirmation) costs a few dozen calls, not thousands.
    /// </summary>
    public TimeSpan NextStatusPoll(PayoutProvider provider, int pollsWithoutNews)
    {
        var first = ProviderProfiles.For(provider).SendsCompletionWebhooks ? StatusPollQuietPeriod : StatusPollInterval;
        // The cap is reached long before 2^20; bounding the exponent keeps the product within a TimeSpan.
        var wait = first * Math.Pow(2, Math.Min(pollsWithoutNews, 20));
        return wait < StatusPollMaxInterval ? wait : StatusPollMaxInterval;
    }

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
