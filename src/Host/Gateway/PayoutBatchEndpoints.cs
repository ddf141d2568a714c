using Microsoft.AspNetCore.Http.Features;
using Payouts.Bus.Contracts;
using Payouts.Bus.Host.Access;
using Payouts.Bus.Host.Batches;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Host.Gateway;

/// <summary>
/// <c>POST /payouts/batch</c> (up to 1,000 payouts under one batch external id, answered once with
/// a line per item) and <c>GET /batches/{id}</c> (the batch's payouts by state). The work is
/// <see cref="PayoutBatchIntake"/>'s, the same as for <see cref="RequestPayoutBatch"/> on the bus.
/// </summary>
public static class PayoutBatchEndpoints
{
    /// <summary>A full batch of payouts is larger than one payout's 256 KB; 1 MB holds 1,000 of any kind.</summary>
    public const long MaxBatchBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapPayoutBatchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/payouts/batch", RequestBatchAsync).WithTags("Payouts").WithSummary("Request up to 1,000 payouts at once (idempotent per batch and per item)")
            .RequireAuthorization(Scopes.PayoutsWrite);
        app.MapGet("/batches/{batchId:guid}", GetBatchAsync).WithTags("Payouts").WithSummary("A batch's payouts, counted by state and listed")
            .RequireAuthorization(Scopes.PayoutsReadOrOperations);
        return app;
    }

    private static async Task<IResult> RequestBatchAsync(HttpRequest http, PayoutBatchIntake intake, CancellationToken cancellationToken)
    {
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBatchBodyBytes;
        var (body, problem) = await PayoutEndpoints.ReadAsync<PayoutBatchBody>(http);
        if (problem is not null)
            return problem;
        if (body!.Payouts is null)
            return PayoutEndpoints.Invalid("payouts", $"is required: 1 to {PayoutBatchIntake.MaxItems} payouts, each as POST /payouts takes it.");
        var client = PayoutEndpoints.ClientOf(http.HttpContext);
        var externalId = body.ExternalId ?? "";
        var batch = new RequestPayoutBatch(PayoutIdentity.ForBatch(client, externalId), externalId,
            body.Payouts.Select(p => p?.ToCommand(client)!).ToList(), client);

        var (accepted, rejected) = await intake.TakeAsync(batch, cancellationToken);
        if (accepted is not null)
            return Results.Accepted($"/batches/{accepted.BatchId}", new PayoutBatchView(accepted.BatchId, accepted.ExternalId, accepted.Lines));
        return rejected!.Code == "external_id_conflict"
            ? Results.Problem(title: "Batch external id already used", detail: rejected.Reason, statusCode: StatusCodes.Status409Conflict)
            : PayoutEndpoints.Refused(rejected.Errors, rejected.Reason);
    }

    private static async Task<IResult> GetBatchAsync(Guid batchId, HttpContext http, PayoutBatches batches, CancellationToken cancellationToken)
    {
        // Another client's batch is answered as one that does not exist, like another client's payout.
        if (await batches.GetAsync(batchId, cancellationToken) is not { } batch
            || (batch.Client != PayoutEndpoints.ClientOf(http) && !Scopes.Has(http.User, Scopes.Operations)))
            return Results.Problem(title: "Batch not found", detail: $"There is no batch {batchId}.", statusCode: StatusCodes.Status404NotFound);
        var items = await batches.ItemsAsync(batchId, cancellationToken);
        var byState = items.GroupBy(i => i.Status ?? "Unknown").Select(g => new PayoutBatchStateCount(g.Key, g.Count()))
            .OrderBy(s => s.State, StringComparer.Ordinal).ToList();
        return Results.Ok(new PayoutBatchStatusView(batch.BatchId, batch.ExternalId, batch.Client, batch.CreatedAt, batch.CompletedAt, items.Count, byState, items));
    }
}
