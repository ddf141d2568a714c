using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;

namespace Payouts.Bus.Providers;

/// <summary>
/// One payout provider's API, as the consumers use it. Each operation either returns what the
/// provider decided, or throws a <see cref="ProviderException"/> that says whether a retry is safe.
/// </summary>
public interface IPayoutProviderClient
{
    PayoutProvider Provider { get; }

    /// <summary>
    /// Creates the payout at the provider, or finds the one an earlier attempt created:
    /// a call repeated for the same <see cref="ProviderPayout.PayoutId"/> never pays twice.
    /// </summary>
    /// <param name="earlierAttemptSince">
    /// When an earlier attempt may have created the payout (its first began then); null when none
    /// can have, and a client whose provider has no idempotency key creates without looking first.
    /// </param>
    Task<ProviderSubmitResult> SubmitAsync(ProviderPayout payout, DateTime? earlierAttemptSince, CancellationToken cancellationToken);

    /// <summary>
    /// The provider's current view of the payout, or null when it has no such payout. Asked by
    /// <see cref="ProviderPayout.ProviderReference"/> when set, and then only an answer about this payout
    /// (our id in it) counts: the id may have come from a webhook.
    /// </summary>
    Task<ProviderPayoutUpdate?> GetAsync(ProviderPayout payout, CancellationToken cancellationToken);

    Task<ProviderActionResult> ConfirmAsync(ProviderPayout payout, string depositAddress, CancellationToken cancellationToken);

    Task<ProviderActionResult> CancelAsync(ProviderPayout payout, CancellationToken cancellationToken);

    Task<ProviderQuoteResult> QuoteAsync(Money amount, DfnsPayoutDetails? dfns, CancellationToken cancellationToken);
}

public sealed record ProviderSubmitResult(ProviderPayoutUpdate? Accepted, string? DeclineCode, string? DeclineMessage)
{
    public static ProviderSubmitResult Accept(ProviderPayoutUpdate update) => new(update, null, null);
    public static ProviderSubmitResult Decline(string code, string message) => new(null, code, message);
}

public sealed record ProviderActionResult(bool Succeeded, string? DeclineCode, string? DeclineMessage)
{
    public static readonly ProviderActionResult Success = new(true, null, null);
    public static ProviderActionResult Decline(string code, string message) => new(false, code, message);
}

public sealed record ProviderQuoteResult(PayoutQuote? Quote, string? UnavailableReason)
{
    public static ProviderQuoteResult Of(PayoutQuote quote) => new(quote, null);
    public static ProviderQuoteResult Unavailable(string reason) => new(null, reason);
}

/// <summary>A provider call that did not produce a decision.</summary>
public abstract class ProviderException(PayoutProvider provider, string message, Exception? inner)
    : Exception($"{provider}: {message}", inner)
{
    public PayoutProvider Provider { get; } = provider;
}

/// <summary>The request did not take effect at the provider (refused connection, 429, 503): retrying is safe.</summary>
public sealed class ProviderUnavailableException(PayoutProvider provider, string message, Exception? inner = null)
    : ProviderException(provider, message, inner);

/// <summary>
/// The request may have reached the provider and taken effect (time-out, reset after sending, 5xx).
/// Before anything is sent again the payout must be looked up at the provider.
/// </summary>
public sealed class ProviderOutcomeUnknownException(PayoutProvider provider, string message, Exception? inner = null)
    : ProviderException(provider, message, inner);
