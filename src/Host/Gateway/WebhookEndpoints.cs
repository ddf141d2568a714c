using System.Diagnostics;
using Payouts.Bus.Contracts;
using Payouts.Bus.Observability;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Host.Gateway;

/// <summary>
/// <c>POST /webhooks/{provider}</c>: provider callbacks, verified over the raw body by the provider's
/// handler. Forged or stale ones are answered 401 and change nothing; accepted ones are stored as one
/// <c>ProviderPayoutUpdated</c> for the saga before the provider gets the answer it expects, so an
/// acknowledged webhook is never lost. Every delivery of one event is stored under the same message
/// id, so a provider's retries and duplicates reach the saga once.
/// </summary>
public static class WebhookEndpoints
{
    private const int MaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/{provider}", ReceiveAsync).WithTags("Webhooks").WithSummary("Provider webhooks and callbacks");
        return app;
    }

    private static async Task<IResult> ReceiveAsync(string provider, HttpRequest http, PayoutProviders providers,
        ProviderUpdateInbox inbox, PayoutsMetrics metrics, ILoggerFactory logs)
    {
        var logger = logs.CreateLogger(typeof(WebhookEndpoints));
        if (!Enum.TryParse<PayoutProvider>(provider, ignoreCase: true, out var known) || !Enum.IsDefined(known))
            return Results.Problem(title: "Unknown provider", detail: $"No provider is called '{provider}'.", statusCode: StatusCodes.Status404NotFound);
        if (http.ContentLength > MaxBodyBytes)
            return Results.Problem(title: "Body too large", statusCode: StatusCodes.Status413PayloadTooLarge);

        using var buffer = new MemoryStream();
        await http.Body.CopyToAsync(buffer, http.HttpContext.RequestAborted);
        var body = buffer.ToArray();
        var result = providers.Webhook(known).Handle(name => http.Headers.TryGetValue(name, out var value) ? value.ToString() : null, body);

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
            var stored = await inbox.StoreAsync(update, result.MessageId(known, body),
                traceParent => ContinuePayoutTrace(known, update.PayoutId, traceParent), http.HttpContext.RequestAborted);
            if (!stored)
            {
                // Payouts exist here before any provider hears of them, so this names none of ours.
                // Acknowledged, so that the provider stops retrying; logged for whoever owns that account.
                logger.LogWarning("{Provider} webhook acknowledged and ignored: it names payout {PayoutId}, which does not exist here ({Reason})",
                    known, update.PayoutId, result.Reason);
                metrics.Webhook(known.ToString(), "ignored");
                return Results.Text(result.ResponseBody, "text/plain");
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
