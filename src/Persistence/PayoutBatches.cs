using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Persistence;

/// <summary>A batch of payouts as stored (Migrations/*/0015_payout_batch.sql).</summary>
public sealed class PayoutBatch
{
    public Guid BatchId { get; init; }
    public required string ExternalId { get; init; }
    public string? Client { get; init; }
    public required string IdempotencyKey { get; init; }
    /// <summary><see cref="PayoutFingerprint.OfBatch"/>: the same key with another fingerprint is another batch, refused.</summary>
    public required string Fingerprint { get; init; }
    public int ItemCount { get; init; }
    /// <summary>Its payouts are recorded: before that a batch has no items, and would look complete.</summary>
    public bool ItemsRecorded { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? CompletedAt { get; set; }
}

/// <summary>One payout a batch made (or may have made: an item whose answer did not come in time).</summary>
public sealed class PayoutBatchItem
{
    public Guid BatchId { get; init; }
    public Guid PayoutId { get; init; }
    public int Index { get; init; }
}

internal sealed class PayoutBatchMap : IEntityTypeConfiguration<PayoutBatch>
{
    public void Configure(EntityTypeBuilder<PayoutBatch> batch)
    {
        batch.ToTable("payout_batch");
        batch.HasKey(b => b.BatchId);
        batch.Property(b => b.BatchId).HasColumnName("batch_id").ValueGeneratedNever();
        batch.Property(b => b.ExternalId).HasColumnName("external_id");
        batch.Property(b => b.Client).HasColumnName("client");
        batch.Property(b => b.IdempotencyKey).HasColumnName("idempotency_key");
        batch.HasIndex(b => b.IdempotencyKey).IsUnique();
        batch.Property(b => b.Fingerprint).HasColumnName("fingerprint");
        batch.Property(b => b.ItemCount).HasColumnName("item_count");
        batch.Property(b => b.ItemsRecorded).HasColumnName("items_recorded");
        batch.Property(b => b.CreatedAt).HasColumnName("created_at");
        batch.Property(b => b.CompletedAt).HasColumnName("completed_at");
    }
}

internal sealed class PayoutBatchItemMap : IEntityTypeConfiguration<PayoutBatchItem>
{
    public void Configure(EntityTypeBuilder<PayoutBatchItem> item)
    {
        item.ToTable("payout_batch_item");
        item.HasKey(i => new { i.BatchId, i.PayoutId });
        item.Property(i => i.BatchId).HasColumnName("batch_id");
        item.Property(i => i.PayoutId).HasColumnName("payout_id");
        item.Property(i => i.Index).HasColumnName("item_index");
    }
}

/// <summary>One payout of a batch, as <c>GET /batches/{id}</c> lists it: its state, or null when it was never made.</summary>
public sealed record PayoutBatchItemState(int Index, Guid PayoutId, string? ExternalId, string? Status);

/// <summary>The batches, read and written. Every write is idempotent: a batch taken twice is stored once.</summary>
public sealed class PayoutBatches(PayoutsDbContext db)
{
    /// <summary>The stored batch with this key, or the new one, stored now; the caller compares fingerprints.</summary>
    public async Task<PayoutBatch> OpenAsync(PayoutBatch batch, CancellationToken cancellationToken)
    {
        if (await FindAsync(batch.IdempotencyKey, cancellationToken) is { } stored)
            return stored;
        db.Set<PayoutBatch>().Add(batch);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return batch;
        }
        catch (DbUpdateException)
        {
            // The same batch taken at the same moment elsewhere: theirs is the one.
            db.ChangeTracker.Clear();
            return await FindAsync(batch.IdempotencyKey, cancellationToken) ?? throw new InvalidOperationException($"batch {batch.ExternalId} could not be stored");
        }
    }

    private Task<PayoutBatch?> FindAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        db.Set<PayoutBatch>().AsNoTracking().FirstOrDefaultAsync(b => b.IdempotencyKey == idempotencyKey, cancellationToken);

    /// <summary>Records the batch's payouts (those recorded already are left as they are); from then on it can be complete.</summary>
    public async Task AddItemsAsync(Guid batchId, IReadOnlyList<(int Index, Guid PayoutId)> items, CancellationToken cancellationToken)
    {
        var known = await db.Set<PayoutBatchItem>().Where(i => i.BatchId == batchId).Select(i => i.PayoutId).ToListAsync(cancellationToken);
        foreach (var (index, payoutId) in items.DistinctBy(i => i.PayoutId).Where(i => !known.Contains(i.PayoutId)))
            db.Set<PayoutBatchItem>().Add(new PayoutBatchItem { BatchId = batchId, PayoutId = payoutId, Index = index });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Recorded meanwhile by the same batch taken again: what matters is that the rows exist.
            db.ChangeTracker.Clear();
        }
        await db.Set<PayoutBatch>().Where(b => b.BatchId == batchId && !b.ItemsRecorded)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.ItemsRecorded, true), cancellationToken);
    }

    public Task<PayoutBatch?> GetAsync(Guid batchId, CancellationToken cancellationToken) =>
        db.Set<PayoutBatch>().AsNoTracking().FirstOrDefaultAsync(b => b.BatchId == batchId, cancellationToken);

    /// <summary>The batch's payouts in the batch's order, with their states.</summary>
    public async Task<IReadOnlyList<PayoutBatchItemState>> ItemsAsync(Guid batchId, CancellationToken cancellationToken) =>
        await (from item in db.Set<PayoutBatchItem>().Where(i => i.BatchId == batchId)
               join payout in db.Payouts on item.PayoutId equals payout.CorrelationId into made
               from payout in made.DefaultIfEmpty()
               orderby item.Index
               select new PayoutBatchItemState(item.Index, item.PayoutId, payout == null ? null : payout.ExternalId, payout == null ? null : payout.CurrentState))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Open batches whose every payout has ended (a payout never made keeps its batch open), oldest
    /// first. Reads only open batches: the cost does not grow with history.
    /// </summary>
    public async Task<IReadOnlyList<PayoutBatch>> EndedButOpenAsync(int take, CancellationToken cancellationToken)
    {
        var terminal = PayoutStates.Terminal.ToList();
        return await db.Set<PayoutBatch>().AsNoTracking()
            .Where(b => b.CompletedAt == null && b.ItemsRecorded)
            .Where(b => !db.Set<PayoutBatchItem>().Any(i => i.BatchId == b.BatchId
                && !db.Payouts.Any(p => p.CorrelationId == i.PayoutId && terminal.Contains(p.CurrentState))))
            .OrderBy(b => b.CreatedAt)
            .Take(take)
            .ToListAsync(cancellationToken);
    }

    /// <summary>How many of the batch's payouts ended in each state.</summary>
    public async Task<IReadOnlyList<PayoutBatchStateCount>> CountByStateAsync(Guid batchId, CancellationToken cancellationToken) =>
        (await (from item in db.Set<PayoutBatchItem>().Where(i => i.BatchId == batchId)
                join payout in db.Payouts on item.PayoutId equals payout.CorrelationId
                group payout by payout.CurrentState into state
                select new { State = state.Key, Count = state.Count() })
            .ToListAsync(cancellationToken))
        .OrderBy(s => s.State, StringComparer.Ordinal).Select(s => new PayoutBatchStateCount(s.State, s.Count)).ToList();

    public async Task MarkCompletedAsync(Guid batchId, DateTime at, CancellationToken cancellationToken) =>
        await db.Set<PayoutBatch>().Where(b => b.BatchId == batchId && b.CompletedAt == null)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.CompletedAt, at), cancellationToken);
}
