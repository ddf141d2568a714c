namespace Payouts.Bus.Domain;

/// <summary>
/// The states a payout can be in, and their groups. The state machine defines the transitions;
/// everything that lists or counts payouts by state (reconciliation, gauges, dashboard) reads the groups here.
/// </summary>
public static class PayoutStates
{
    public const string Requested = nameof(Requested);
    public const string Submitted = nameof(Submitted);
    public const string AwaitingConfirmation = nameof(AwaitingConfirmation);
    public const string Confirming = nameof(Confirming);
    public const string Canceling = nameof(Canceling);
    public const string Completed = nameof(Completed);
    public const string Failed = nameof(Failed);
    public const string Canceled = nameof(Canceled);
    public const string Expired = nameof(Expired);
    public const string Rejected = nameof(Rejected);

    /// <summary>Not ended: the processor or a person still has something to do.</summary>
    public static readonly IReadOnlyList<string> InFlight = [Requested, Submitted, AwaitingConfirmation, Confirming, Canceling];

    /// <summary>Ended: never left again.</summary>
    public static readonly IReadOnlyList<string> Terminal = [Completed, Failed, Canceled, Expired, Rejected];

    /// <summary>Ended without paying: what operators look at first.</summary>
    public static readonly IReadOnlyList<string> Unsuccessful = [Failed, Expired, Rejected];

    /// <summary>Waiting for a person (the caller's confirmation), not for the processor.</summary>
    public static readonly IReadOnlyList<string> WaitingForPerson = [AwaitingConfirmation];

    /// <summary>Waiting for the processor or the provider: a payout that stays in one too long is stuck.</summary>
    public static readonly IReadOnlyList<string> WaitingForProcessor = [Requested, Submitted, Confirming, Canceling];

    /// <summary>Known to the provider and not ended: its status there can be checked.</summary>
    public static readonly IReadOnlyList<string> AtProvider = [Submitted, AwaitingConfirmation, Confirming, Canceling];

    /// <summary>Every state, in lifecycle order.</summary>
    public static readonly IReadOnlyList<string> All = [.. InFlight, .. Terminal];

    public static bool IsTerminal(string state) => Terminal.Contains(state);
}
