using MassTransit;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Sagas;

/// <summary>One payout as the saga remembers it. Changed only by <see cref="PayoutStateMachine"/>.</summary>
public sealed class PayoutState : SagaStateMachineInstance, ISagaVersion
{
    /// <summary>The payout id.</summary>
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = "";

    /// <summary>Concurrency token for persistent repositories.</summary>
    public int Version { get; set; }

    public string ExternalId { get; set; } = "";

    /// <summary>The API client the payout belongs to; null for one requested on the bus without a client.</summary>
    public string? Client { get; set; }

    /// <summary>External id within its client (<see cref="PayoutIdempotency.Key"/>): unique, and what a repeated request finds.</summary>
    public string IdempotencyKey { get; set; } = "";

    /// <summary>Hash of the request's content: a repeated <see cref="RequestPayout"/> must match it.</summary>
    public string RequestFingerprint { get; set; } = "";

    public PayoutProvider Provider { get; set; }
    public decimal Amount { get; set; }

    /// <summary>Decimal places of the amount as the caller wrote it, so that it is given back spelled the same.</summary>
    public int AmountScale { get; set; }

    public string Currency { get; set; } = "";
    public string Network { get; set; } = "";
    public string Destination { get; set; } = "";
    public string? Memo { get; set; }
    public DfnsPayoutDetails? Dfns { get; set; }

    public string? ProviderReference { get; set; }
    public string? ProviderStatus { get; set; }
    public string? DepositAddress { get; set; }
    public decimal? DepositAmount { get; set; }
    public DateTime? ConfirmationExpiresAt { get; set; }
    /// <summary>When the confirmation was last sent to the provider.</summary>
    public DateTime? ConfirmationSentAt { get; set; }
    /// <summary>Sent with every request about this payout and echoed by every answer (<see cref="ProviderPayout.CheckId"/>); made when the payout is opened.</summary>
    public Guid? CheckId { get; set; }
    public string? TxHash { get; set; }
    public decimal? Fee { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// The W3C trace context of the request that opened the payout: provider webhooks, which arrive
    /// in traces of their own, continue this one so that a payout is one trace from request to end.
    /// </summary>
    public string? TraceParent { get; set; }
    public DateTime UpdatedAt { get; set; }

    public Guid? ConfirmationExpiryTokenId { get; set; }
    public Guid? SubmissionExpiryTokenId { get; set; }
    public Guid? StatusPollTokenId { get; set; }

    /// <summary>Status polls since the provider last told us something new: each one doubles the wait for the next.</summary>
    public int StatusPolls { get; set; }
    public Guid? SubmitRetryTokenId { get; set; }

    public List<PayoutHistoryEntry> History { get; set; } = [];

    /// <summary>The request named no provider: the processor chose <see cref="Provider"/> (<see cref="Route"/> says why) and may replace it.</summary>
    public bool Routed { get; set; }

    /// <summary>Why <see cref="Provider"/> pays this routed payout; after a failover, from which provider and why.</summary>
    public string? Route { get; set; }

    /// <summary>Providers of a routed payout that refused it before anything was created, comma-separated.</summary>
    public string? FailedProviders { get; set; }

    public IReadOnlyList<PayoutProvider> Tried =>
        (FailedProviders ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<PayoutProvider>).ToList();

    /// <summary>The payout as a request, for routing it again: the provider left to the router.</summary>
    public RequestPayout AsRequest() => new(CorrelationId, ExternalId, default, Money, Destination, Memo, Dfns, Client);

    public Money Money => new(Amounts.WithScale(Amount, AmountScale), Currency, Network);

    public void Open(RequestPayout request, DateTime now)
    {
        // A bus message may leave the external id out; the validator then rejects it by name.
        ExternalId = request.ExternalId ?? "";
        Client = string.IsNullOrEmpty(request.Client) ? null : request.Client;
        IdempotencyKey = PayoutIdempotency.Key(Client, ExternalId);
        CheckId = NewId.NextGuid();
        RequestFingerprint = PayoutFingerprint.Of(request);
        Provider = request.Provider;
        Amount = request.Amount?.Amount ?? 0m;
        AmountScale = Amount.Scale;
        Currency = request.Amount?.Currency?.ToUpperInvariant() ?? "";
        Network = Networks.Canonical(request.Amount?.Network) ?? request.Amount?.Network ?? "";
        Destination = request.Destination ?? "";
        Memo = request.Memo;
        Dfns = request.Dfns;
        CreatedAt = now;
        UpdatedAt = now;
        TraceParent = System.Diagnostics.Activity.Current?.Id;
    }

    /// <summary>Takes what a provider update adds (ids, hashes, fees, deposit address) without touching the lifecycle state.</summary>
    /// <returns>True when the provider's status changed.</returns>
    public bool Absorb(ProviderPayoutUpdate update)
    {
        ProviderReference ??= update.Reference;
        TxHash = update.TxHash ?? TxHash;
        Fee = update.Fee ?? Fee;
        DepositAddress = update.DepositAddress ?? DepositAddress;
        DepositAmount = update.DepositAmount ?? DepositAmount;
        var changed = ProviderStatus != update.ProviderStatus;
        ProviderStatus = update.ProviderStatus;
        if (changed)
            StatusPolls = 0;
        return changed;
    }

    /// <summary>Whether the update says nothing this payout does not hold already: applying it would change nothing.</summary>
    public bool Knows(ProviderPayoutUpdate update) =>
        ProviderStatus == update.ProviderStatus
        && (update.Reference is null || update.Reference == ProviderReference)
        && (update.TxHash is null || update.TxHash == TxHash)
        && (update.Fee is null || update.Fee == Fee)
        && (update.DepositAddress is null || update.DepositAddress == DepositAddress)
        && (update.DepositAmount is null || update.DepositAmount == DepositAmount);

    public void Fail(string code, string? message)
    {
        FailureCode = code;
        FailureMessage = message;
    }

    public void Record(string @event, string reason, DateTime now, string? client = null)
    {
        UpdatedAt = now;
        History.Add(new PayoutHistoryEntry(now, CurrentState, @event, reason, client));
    }

    public ProviderPayout ToProviderPayout() =>
        new(CorrelationId, Provider, Money, Destination, Memo, Dfns, ProviderReference, CreatedAt, CheckId, Routed);

    public PayoutSnapshot ToSnapshot() => new(
        CorrelationId, ExternalId, Provider, CurrentState, Money, Destination, ProviderReference, TxHash, Fee,
        DepositAddress is not null && ConfirmationExpiresAt is not null && CurrentState == nameof(PayoutStateMachine.AwaitingConfirmation)
            ? new PayoutConfirmation(DepositAddress, DepositAmount ?? Amount, ConfirmationExpiresAt.Value)
            : null,
        FailureCode, FailureMessage, CreatedAt, UpdatedAt, History.ToList(), Client);
}
