namespace Payouts.Bus.Sandbox;

/// <summary>
/// Configuration section <c>Sandbox:Faults</c>: the ways a real provider misbehaves, switched on to
/// prove the processor survives them. All off by default. Rates are shares of calls (0 to 1) and
/// are applied by count, not by chance: a rate of 0.25 hits exactly every fourth call.
/// </summary>
public sealed class SandboxFaults
{
    /// <summary>Added before every provider API answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Share of API calls answered with the provider's own 503 without doing anything.</summary>
    public decimal ErrorRate { get; set; }

    /// <summary>
    /// Share of creates that are recorded (the payout exists and will be paid) and then never answered:
    /// the connection is dropped once the client gives up, so the client cannot know what happened.
    /// </summary>
    public decimal UnknownOutcomeRate { get; set; }

    /// <summary>Every webhook delivery is sent twice.</summary>
    public bool DuplicateWebhooks { get; set; }

    /// <summary>
    /// Each webhook waits a random time up to this before it is sent, so webhooks arrive late and
    /// later ones overtake earlier ones.
    /// </summary>
    public TimeSpan WebhookDelay { get; set; }

    internal void Validate()
    {
        if (ErrorRate is < 0 or > 1 || UnknownOutcomeRate is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(SandboxOptions.Faults), "Sandbox:Faults:ErrorRate and UnknownOutcomeRate are shares of calls, from 0 to 1.");
        if (Latency < TimeSpan.Zero || WebhookDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(SandboxOptions.Faults), "Sandbox:Faults:Latency and WebhookDelay cannot be negative.");
    }
}

/// <summary>Counts calls and says which ones a rate hits, evenly spread: call n is hit when ⌊n·rate⌋ grows.</summary>
internal sealed class FaultCounter
{
    private long _calls;

    public bool Hit(decimal rate)
    {
        if (rate <= 0)
            return false;
        var n = Interlocked.Increment(ref _calls);
        return decimal.Floor(n * rate) > decimal.Floor((n - 1) * rate);
    }
}
