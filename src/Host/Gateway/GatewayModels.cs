using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Host.Gateway;

// The HTTP gateway's request and response bodies. Amounts are decimal strings both ways.

/// <summary>Body of <c>POST /payouts</c>.</summary>
public sealed record PayoutRequestBody(
    string? ExternalId,
    PayoutProvider? Provider,
    [property: JsonConverter(typeof(ExactDecimalJsonConverter))] decimal Amount,
    string? Currency,
    string? Network,
    string? Destination,
    string? Memo,
    DfnsPayoutDetails? Dfns)
{
    /// <summary>The command as written, for the calling client; a provider left out stays undefined: the saga routes the payout.</summary>
    public RequestPayout ToCommand(string client) => new(
        PayoutIdentity.FromExternalId(client, ExternalId ?? ""),
        ExternalId ?? "",
        Provider ?? default,
        new Money(Amount, Currency ?? "", Network ?? ""),
        Destination ?? "",
        Memo,
        Dfns,
        client);
}

/// <summary>Body of <c>POST /payouts/batch</c>: the batch's own external id and its payouts, each as <c>POST /payouts</c> takes it.</summary>
public sealed record PayoutBatchBody(string? ExternalId, IReadOnlyList<PayoutRequestBody?>? Payouts);

/// <summary>Answer of <c>POST /payouts/batch</c>: one line per item, in the batch's order.</summary>
public sealed record PayoutBatchView(Guid BatchId, string ExternalId, IReadOnlyList<PayoutBatchLine> Lines);

/// <summary><c>GET /batches/{id}</c>: the batch's payouts, counted by state and listed in the batch's order.</summary>
public sealed record PayoutBatchStatusView(Guid BatchId, string ExternalId, string? Client, DateTime CreatedAt, DateTime? CompletedAt,
    int Payouts, IReadOnlyList<PayoutBatchStateCount> ByState, IReadOnlyList<Persistence.PayoutBatchItemState> Items);

/// <summary>Body of <c>POST /payouts/{id}/confirm</c>: what the caller approves.</summary>
public sealed record ConfirmBody(string? DepositAddress, [property: JsonConverter(typeof(ExactDecimalJsonConverter))] decimal Amount);

/// <summary>Body of <c>POST /payouts/{id}/cancel</c>.</summary>
public sealed record CancelBody(string? Reason);

/// <summary>Body of <c>POST /payouts/quote</c>.</summary>
public sealed record QuoteBody(
    PayoutProvider? Provider,
    [property: JsonConverter(typeof(ExactDecimalJsonConverter))] decimal Amount,
    string? Currency,
    string? Network,
    DfnsPayoutDetails? Dfns);

public sealed record PayoutAcceptedView(Guid PayoutId, string Status);

public sealed record PayoutView(
    Guid PayoutId,
    string ExternalId,
    PayoutProvider Provider,
    string Status,
    string Amount,
    string Currency,
    string Network,
    string Destination,
    string? ProviderReference,
    string? TxHash,
    string? Fee,
    FailureView? Failure,
    ConfirmationView? Confirmation,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    IReadOnlyList<PayoutHistoryEntry> History,
    string? Client)
{
    public static PayoutView From(PayoutSnapshot s) => new(
        s.PayoutId, s.ExternalId, s.Provider, s.Status, s.Amount.Amount.ToString(CultureInfo.InvariantCulture), s.Amount.Currency, s.Amount.Network, s.Destination,
        s.ProviderReference, s.TxHash, s.Fee is { } fee ? Text(fee) : null,
        s.FailureCode is null ? null : new FailureView(s.FailureCode, s.FailureMessage),
        s.Confirmation is { } c ? new ConfirmationView(c.DepositAddress, Text(c.Amount), c.ExpiresAt) : null,
        s.CreatedAt, s.UpdatedAt, s.History, s.Client);

    /// <summary>
    /// The payout's own amount is given back as the caller spelled it (the saga keeps its scale); the
    /// provider's figures (fee, deposit amount) in their shortest exact form, whatever scale the database returns them with.
    /// </summary>
    internal static string Text(decimal value) => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}

public sealed record FailureView(string Code, string? Message);

/// <summary>A page of <c>GET /payouts</c>: <see cref="Next"/> fetches the following page, with the same filters.</summary>
public sealed record PayoutListView(IReadOnlyList<PayoutLineView> Payouts, string? NextCursor, string? Next);

/// <summary>One payout in a list: <see cref="PayoutView"/> without its history and confirmation.</summary>
public sealed record PayoutLineView(
    Guid PayoutId,
    string ExternalId,
    string? Client,
    PayoutProvider Provider,
    string Status,
    string Amount,
    string Currency,
    string Network,
    string Destination,
    string? ProviderReference,
    string? TxHash,
    string? Fee,
    FailureView? Failure,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static PayoutLineView From(Persistence.PayoutSummary s) => new(
        s.PayoutId, s.ExternalId, s.Client, s.Provider, s.Status, s.Amount.ToString(CultureInfo.InvariantCulture), s.Currency, s.Network, s.Destination,
        s.ProviderReference, s.TxHash, s.Fee is { } fee ? PayoutView.Text(fee) : null,
        s.FailureCode is null ? null : new FailureView(s.FailureCode, s.FailureMessage),
        DateTime.SpecifyKind(s.CreatedAt, DateTimeKind.Utc), DateTime.SpecifyKind(s.UpdatedAt, DateTimeKind.Utc));
}

/// <summary>What <c>POST /payouts/{id}/confirm</c> must echo.</summary>
public sealed record ConfirmationView(string DepositAddress, string Amount, DateTime ExpiresAt);

public sealed record QuoteView(PayoutProvider Provider, string Amount, string Currency, string Fee, string FeeCurrency, string NetAmount, string NetCurrency, DateTime QuotedAt);

/// <summary>
/// The payout id of a request that came over HTTP, derived from its client and external id: two
/// concurrent requests with one key then name the same payout before either reaches the saga.
/// </summary>
public static class PayoutIdentity
{
    public static Guid FromExternalId(string client, string externalId) => FromName("payouts-bus/external-id/" + PayoutIdempotency.Key(client, externalId));

    /// <summary>The batch id of a batch that came over HTTP, from its client and batch external id.</summary>
    public static Guid ForBatch(string client, string externalId) => FromName("payouts-bus/batch-external-id/" + PayoutIdempotency.Key(client, externalId));

    private static Guid FromName(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // version 5 style: name-based
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}
