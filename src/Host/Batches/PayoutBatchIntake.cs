using MassTransit;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Host.Batches;

/// <summary>
/// Takes a batch of payouts, however it came (<c>POST /payouts/batch</c> or <see cref="RequestPayoutBatch"/>
/// on the bus): checks the batch as a whole, stores it under its idempotency key, requests each valid
/// item from the saga exactly as a single request would be (so each item is idempotent on its own
/// external id), and answers one line per item. Taking the same batch again sends the same requests,
/// which the saga answers with the payouts it already has: nothing changes, the answer is the same.
/// </summary>
public sealed class PayoutBatchIntake(PayoutBatches batches, IRequestClient<RequestPayout> payouts, TimeProvider clock,
    IOptions<PayoutsOptions> options, ILogger<PayoutBatchIntake> logger)
{
    public const int MaxItems = 1_000;

    /// <summary>Items requested from the saga at once: enough to keep it busy, few enough to leave room for other callers.</summary>
    private const int InFlight = 32;

    /// <returns>The batch's answer: one line per item, or why the batch as a whole was refused.</returns>
    public async Task<(PayoutBatchAccepted? Accepted, PayoutBatchRejected? Rejected)> TakeAsync(RequestPayoutBatch batch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (Check(batch) is { Count: > 0 } problems)
            return (null, Rejected(batch, batch.BatchId, "validation_failed", "The batch is invalid; nothing was requested.", problems, now));
        // An item belongs to the batch's client; one that names no client is the batch's.
        batch = batch with { Payouts = batch.Payouts.Select(p => p with { Client = batch.Client }).ToList() };

        var fingerprint = PayoutFingerprint.OfBatch(batch);
        var stored = await batches.OpenAsync(new PayoutBatch
        {
            BatchId = batch.BatchId,
            ExternalId = batch.ExternalId,
            Client = batch.Client,
            IdempotencyKey = PayoutIdempotency.Key(batch.Client, batch.ExternalId),
            Fingerprint = fingerprint,
            ItemCount = batch.Payouts.Count,
            CreatedAt = now,
        }, cancellationToken);
        if (stored.Fingerprint != fingerprint)
            return (null, Rejected(batch, stored.BatchId, "external_id_conflict",
                $"Batch external id '{batch.ExternalId}' was used for a batch with other payouts (batch {stored.BatchId}); nothing was requested.",
                [new("externalId", "was used for another batch.")], now));

        var lines = new PayoutBatchLine[batch.Payouts.Count];
        using var gate = new SemaphoreSlim(InFlight);
        await Task.WhenAll(batch.Payouts.Select(async (item, index) =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                lines[index] = await RequestAsync(index, item, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));

        // Payouts made, and those whose answer did not come (they may exist): the batch ends when they have.
        await batches.AddItemsAsync(stored.BatchId,
            lines.Where(l => l.Outcome != Refused).Select(l => (l.Index, l.PayoutId!.Value)).ToList(), cancellationToken);
        logger.LogInformation("Batch {BatchId} ({ExternalId}) of {Client}: {Accepted} accepted, {Refused} refused, {Unknown} without an answer in time",
            stored.BatchId, batch.ExternalId, batch.Client, lines.Count(l => l.Outcome == Accepted), lines.Count(l => l.Outcome == Refused),
            lines.Count(l => l.Outcome == Unknown));
        return (new PayoutBatchAccepted(stored.BatchId, batch.ExternalId, lines, now), null);
    }

    public const string Accepted = "accepted";
    public const string Refused = "refused";
    public const string Unknown = "unknown";

    private async Task<PayoutBatchLine> RequestAsync(int index, RequestPayout item, CancellationToken cancellationToken)
    {
        if (PayoutRequestValidator.ValidateAtIntake(item) is { Count: > 0 } errors)
            return new PayoutBatchLine(index, item.ExternalId, Refused, null, null, errors);
        try
        {
            var response = await payouts.GetResponse<PayoutSnapshot, PayoutRejected>(item, cancellationToken, options.Value.GatewayTimeout);
            if (response.Is(out Response<PayoutSnapshot>? accepted))
                return new PayoutBatchLine(index, item.ExternalId, Accepted, accepted.Message.PayoutId, accepted.Message.Status, []);
            response.Is(out Response<PayoutRejected>? rejected);
            var refusal = rejected!.Message;
            return new PayoutBatchLine(index, item.ExternalId, Refused, null, null,
                refusal.Errors.Count > 0 ? refusal.Errors : [new FieldError("externalId", refusal.Reason)]);
        }
        catch (RequestTimeoutException)
        {
            return new PayoutBatchLine(index, item.ExternalId, Unknown, item.PayoutId, null,
                [new FieldError("", "no answer in time: repeat the batch (it is idempotent) to learn this payout's outcome.")]);
        }
    }

    /// <summary>What makes a batch unusable as a whole: its own key, its size, and external ids given twice.</summary>
    private static List<FieldError> Check(RequestPayoutBatch batch)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(batch.ExternalId) || !PayoutRequestValidator.IsExternalId(batch.ExternalId))
            errors.Add(new("externalId", $"is required: the batch's idempotency key, 1 to {PayoutRequestValidator.MaxExternalIdLength} characters of letters, digits, '.', '_', ':' or '-'."));
        if (batch.BatchId == Guid.Empty)
            errors.Add(new("batchId", "must be a non-empty GUID."));
        if (batch.Payouts is not { Count: > 0 and <= MaxItems })
            errors.Add(new("payouts", $"must hold 1 to {MaxItems} payouts."));
        else if (IndexOfMisfit(batch) is >= 0 and var misfit)
            errors.Add(new($"payouts[{misfit}]", "must be a payout of the batch's client."));
        else
            foreach (var repeated in batch.Payouts.Select((p, i) => (p.ExternalId, Index: i)).GroupBy(p => p.ExternalId).Where(g => g.Count() > 1))
                errors.Add(new($"payouts[{repeated.Skip(1).First().Index}].externalId", $"'{repeated.Key}' is already item {repeated.First().Index} of this batch."));
        return errors;
    }

    /// <summary>The first item that is missing or names another client than the batch's; -1 when there is none.</summary>
    private static int IndexOfMisfit(RequestPayoutBatch batch)
    {
        for (var i = 0; i < batch.Payouts.Count; i++)
            if (batch.Payouts[i] is not { } item || (item.Client is not null && item.Client != batch.Client))
                return i;
        return -1;
    }

    private PayoutBatchRejected Rejected(RequestPayoutBatch batch, Guid batchId, string code, string reason, IReadOnlyList<FieldError> errors, DateTime now)
    {
        logger.LogWarning("Batch {ExternalId} of {Client} refused: {Code}: {Reason}", batch.ExternalId, batch.Client, code, reason);
        return new PayoutBatchRejected(batchId, batch.ExternalId ?? "", code, reason, errors, now);
    }
}
