using System.Buffers.Binary;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Persistence;

/// <summary>What a list of payouts is narrowed to; null is any. <see cref="CreatedTo"/> is exclusive.</summary>
public sealed record PayoutSearchFilter(
    string? Client = null,
    string? State = null,
    PayoutProvider? Provider = null,
    string? Currency = null,
    DateTime? CreatedFrom = null,
    DateTime? CreatedTo = null,
    string? ExternalId = null);

/// <summary>
/// Where a page ended: the last payout's creation time and id. The next page holds what comes
/// strictly after it in the list's order, so payouts inserted meanwhile (always newer) neither
/// repeat nor shift what follows. Opaque to callers: 24 bytes in base64url.
/// </summary>
public readonly record struct PayoutCursor(DateTime CreatedAt, Guid PayoutId)
{
    private const int Length = 24;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, CreatedAt.Ticks);
        PayoutId.TryWriteBytes(bytes[8..]);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string text, out PayoutCursor cursor)
    {
        cursor = default;
        Span<byte> bytes = stackalloc byte[Length];
        var base64 = text.Replace('-', '+').Replace('_', '/');
        if (text.Length != 32 || !Convert.TryFromBase64String(base64, bytes, out var written) || written != Length)
            return false;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            return false;
        cursor = new PayoutCursor(new DateTime(ticks, DateTimeKind.Utc), new Guid(bytes[8..]));
        return true;
    }
}

/// <summary>One line of a payout list: what a person scanning payouts needs, without the history.</summary>
public sealed record PayoutSummary(
    Guid PayoutId,
    string ExternalId,
    string? Client,
    PayoutProvider Provider,
    string Status,
    decimal Amount,
    string Currency,
    string Network,
    string Destination,
    string? ProviderReference,
    string? TxHash,
    decimal? Fee,
    string? FailureCode,
    string? FailureMessage,
    DateTime CreatedAt,
    DateTime UpdatedAt);

public sealed record PayoutPage(IReadOnlyList<PayoutSummary> Payouts, PayoutCursor? Next);

/// <summary>
/// Lists payouts newest first, a page at a time, by keyset: each page starts after the previous
/// page's last (created_at, id), read through the indexes of Migrations/*/0014_payout_search.sql,
/// so a page costs the same however many payouts lie behind it. Filters on state, provider and
/// currency narrow that index range rather than choose another index: a rare state over a long
/// time range reads more rows, which <c>createdFrom</c>/<c>createdTo</c> bound.
/// </summary>
public sealed class PayoutSearch(PayoutsDbContext db)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public async Task<PayoutPage> PageAsync(PayoutSearchFilter filter, int limit, PayoutCursor? after, CancellationToken cancellationToken)
    {
        var payouts = db.Payouts.AsNoTracking();
        if (filter.Client is { } client)
            payouts = payouts.Where(p => p.Client == client);
        if (filter.ExternalId is { } externalId)
            payouts = payouts.Where(p => p.ExternalId == externalId);
        if (filter.State is { } state)
            payouts = payouts.Where(p => p.CurrentState == state);
        if (filter.Provider is { } provider)
            payouts = payouts.Where(p => p.Provider == provider);
        if (filter.Currency is { } currency)
            payouts = payouts.Where(p => p.Currency == currency);
        if (filter.CreatedFrom is { } from)
            payouts = payouts.Where(p => p.CreatedAt >= from);
        if (filter.CreatedTo is { } to)
            payouts = payouts.Where(p => p.CreatedAt < to);
        if (after is { } cursor)
            // The first condition is the index range; the second breaks ties of one instant by id.
            payouts = payouts.Where(p => p.CreatedAt <= cursor.CreatedAt
                && (p.CreatedAt < cursor.CreatedAt || p.CorrelationId.CompareTo(cursor.PayoutId) < 0));

        var rows = await payouts
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.CorrelationId)
            .Take(limit + 1)
            .Select(p => new
            {
                p.CorrelationId, p.ExternalId, p.Client, p.Provider, p.CurrentState, p.Amount, p.AmountScale, p.Currency, p.Network, p.Destination,
                p.ProviderReference, p.TxHash, p.Fee, p.FailureCode, p.FailureMessage, p.CreatedAt, p.UpdatedAt,
            })
            .ToListAsync(cancellationToken);

        var page = rows.Take(limit).Select(r => new PayoutSummary(
            r.CorrelationId, r.ExternalId, r.Client, r.Provider, r.CurrentState, Amounts.WithScale(r.Amount, r.AmountScale), r.Currency, r.Network, r.Destination,
            r.ProviderReference, r.TxHash, r.Fee, r.FailureCode, r.FailureMessage, r.CreatedAt, r.UpdatedAt)).ToList();
        return new PayoutPage(page, rows.Count > limit ? new PayoutCursor(page[^1].CreatedAt, page[^1].PayoutId) : null);
    }
}
