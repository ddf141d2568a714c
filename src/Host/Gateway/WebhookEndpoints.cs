using System.Diagnostics;
using Payouts.Bus.Contracts;
using Payouts.Bus.Sagas;
using Payouts.Bus.Domain;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Observability;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Host.Gateway;

/// <summary>
/// <c>POST /webhooks/{provider}</c>: provider callbacks, verified over the raw body by the provider's
/// handler. Forged or stale ones are answered 401 and change nothing; accepted ones are stored as one
/// <c>ProviderPayoutUpdated</c> for the saga before the provider gets the answer it expects, so an
/// acknowledged webhook is never lost. Every delivery of one event is stored under the same message
/// id, so a provider's retries and duplicates reach the saga once. A webhook that says a payout
/// ended is not taken on its own say: the provider's status API is asked here, and its answer is
/// what the saga gets, with the payout's check id (saving the saga a round trip to ask itself).
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/{provider}", ReceiveAsync).WithTags("Webhooks").WithSummary("Provider webhooks and callbacks");
        return app;
    }

    private static async Task<IResult> ReceiveAsync(string provider, HttpRequest http, PayoutProviders providers,
        ProviderUpdateInbox inbox, PayoutsMetrics metrics, ILoggerFactory logs)
    {
        var logger = logs.CreateLogger(typeof(WebhookEndpoints));
        if (!PayoutProviderNames.TryParse(provider, out var known))
            return Results.Problem(title: "Unknown provider", detail: $"No provider is called '{provider}'.", statusCode: StatusCodes.Status404NotFound);
        if (providers.Webhook(known) is not { } webhook)
            return Results.Problem(title: "Provider not configured", detail: providers.Configured.Describe(known), statusCode: StatusCodes.Status404NotFound);

        using var buffer = new MemoryStream();
        await http.Body.CopyToAsync(buffer, http.HttpContext.RequestAborted);
        var body = buffer.ToArray();
        var result = webhook.Handle(name => http.Headers.TryGetValue(name, out var value) ? value.ToString() : null, body);

        if (result.StatusCode != StatusCodes.Status200OK)
        {
            logger.LogWarning("{Provider} webhook refused ({Status}) from {Remote}: {Reason}",
                known, result.StatusCode, http.HttpContext.Connection.RemoteIpAddress, result.Reason);
            metrics.Webhook(known.ToString(), "rejected");
            return Results.Problem(title: "Webhook refused", detail: result.Reason, statusCode: result.StatusCode);
        }

        if (result.Update is { } update)
        {
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["PayoutId"] = update.PayoutId });
            var payout = await inbox.FindAsync(update.PayoutId, http.HttpContext.RequestAborted);
            if (payout is null)
            {
                // Payouts exist here before any provider hears of them, so this names none of ours.
                // Acknowledged, so that the provider stops retrying; logged for whoever owns that account.
                logger.LogWarning("{Provider} webhook acknowledged and ignored: it names payout {PayoutId}, which does not exist here ({Reason})",
                    known, update.PayoutId, result.Reason);
                metrics.Webhook(known.ToString(), "ignored");
                return Results.Text(result.ResponseBody, "text/plain");
            }
            if (TellsNothingNew(payout, update))
            {
                // Acknowledged, so that the provider stops sending it; stored, it would cost the saga a transaction to learn nothing.
                logger.LogInformation("{Provider} webhook acknowledged: payout {PayoutId} ({State}) learns nothing from it ({Status})",
                    known, update.PayoutId, payout.CurrentState, update.Update.ProviderStatus);
                metrics.Webhook(known.ToString(), "ignored");
                return Results.Text(result.ResponseBody, "text/plain");
            }
            if (SkipsConfirmation(payout, update))
            {
                // Only the provider's own answer, asked for below, can show it was confirmed elsewhere.
                logger.LogWarning("{Provider} webhook for payout {PayoutId} says {Status} while the payout awaits our confirmation, which was never sent: " +
                    "the webhook's word is refused and {Provider} is asked", known, update.PayoutId, update.Update.ProviderStatus, known);
                metrics.Webhook(known.ToString(), "skipped_step");
            }
            using (ContinuePayoutTrace(known, update.PayoutId, payout.TraceParent))
            {
                // A payout already ended records late news as it came; there is nothing to confirm. Until the
                // create's answer reaches the saga, the provider is asked by the id the webhook names (its answer
                // counts only if it is about this payout), or by our idempotency key where it has one; otherwise
                // only a search of its history could find the payout, and the saga asks by id once it has one.
                var reference = payout.ProviderReference ?? update.Update.Reference;
                var askable = reference is not null || ProviderProfiles.For(payout.Provider).HasIdempotencyKey;
                var confirmed = update.Update.Status.IsFinal() && !PayoutStates.IsTerminal(payout.CurrentState) && askable
                    ? await AskProviderAsync(providers, payout, reference, update, logger, http.HttpContext.RequestAborted)
                    : update;
                await inbox.StoreAsync(confirmed, result.MessageId(known, body), http.HttpContext.RequestAborted);
            }
            logger.LogInformation("{Provider} webhook accepted: {Reason}", known, result.Reason);
            metrics.Webhook(known.ToString(), "accepted");
        }
        else
        {
            logger.LogInformation("{Provider} webhook acknowledged and ignored: {Reason}", known, result.Reason);
            metrics.Webhook(known.ToString(), "ignored");
        }
        return Results.Text(result.ResponseBody, "text/plain");
    }

    /// <summary>
    /// The payout holds every fact the webhook states, or it was paid and the webhook is a step
    /// before the end arriving late (a provider's delayed or redelivered "processing"; the saga
    /// would only note it). A final word for a payout still in flight is
    /// never dropped: only the provider's answer to our check may end it, and that is asked below.
    /// A late step for a payout that ended unpaid still goes on: the provider working on a payout
    /// we reported failed is news for a person.
    /// </summary>
    private static bool TellsNothingNew(PayoutState payout, ProviderPayoutUpdated webhook) =>
        (payout.Knows(webhook.Update) && (!webhook.Update.Status.IsFinal() || PayoutStates.IsTerminal(payout.CurrentState)))
        || (payout.CurrentState == PayoutStates.Completed && !webhook.Update.Status.IsFinal());

    /// <summary>A payout that waits for our confirmation cannot have been paid before we sent it.</summary>
    private static bool SkipsConfirmation(PayoutState payout, ProviderPayoutUpdated webhook) =>
        payout.CurrentState == nameof(PayoutStateMachine.AwaitingConfirmation) && payout.ConfirmationSentAt is null
        && webhook.Update.Status is ProviderPayoutStatus.Completed or ProviderPayoutStatus.Processing;

    /// <summary>
    /// The provider's own answer to "where does this payout stand", as the answer to the saga's
    /// check. When the provider cannot be asked now, the webhook goes on as it came, and the saga
    /// asks the provider itself before it ends the payout.
    /// </summary>
    private static async Task<ProviderPayoutUpdated> AskProviderAsync(PayoutProviders providers, PayoutState payout, string? reference,
        ProviderPayoutUpdated webhook, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            if (await providers.Client(payout.Provider).GetAsync(payout.ToProviderPayout() with { ProviderReference = reference }, cancellationToken) is { } answer)
                return new ProviderPayoutUpdated(payout.CorrelationId, answer, $"{webhook.Source}, status confirmed by {payout.Provider}", payout.CheckId);
            logger.LogWarning("Payout {PayoutId}: {Provider} does not know the payout its webhook names; the saga will ask again", payout.CorrelationId, payout.Provider);
        }
        catch (ProviderException e)
        {
            logger.LogWarning("Payout {PayoutId}: {Provider} could not be asked to confirm its webhook ({Reason}); the saga will ask", payout.CorrelationId, payout.Provider, e.Message);
        }
        return webhook;
    }

    /// <summary>
    /// A webhook arrives in a trace of the provider's making; what it causes belongs to the payout's
    /// trace, so the span under which it is handed to the saga continues the payout's trace and links
    /// back to the HTTP request.
    /// </summary>
    private static Activity? ContinuePayoutTrace(PayoutProvider provider, Guid payoutId, string? traceParent)
    {
        if (!ActivityContext.TryParse(traceParent, null, out var payoutTrace))
            return null;
        var links = Activity.Current is { } request ? new[] { new ActivityLink(request.Context) } : null;
        var span = PayoutsTelemetry.Source.StartActivity($"{provider} webhook", ActivityKind.Internal, payoutTrace, links: links);
        span?.SetTag(PayoutsTelemetry.Tags.PayoutId, payoutId);
        span?.SetTag(PayoutsTelemetry.Tags.Provider, provider.ToString());
        return span;
    }
}
