using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Providers;
using Payouts.Bus.Domain;
using Payouts.Bus.Host.Access;

namespace Payouts.Bus.Host.Gateway;

/// <summary>
/// The HTTP gateway: every call becomes a request to the payout saga (or the quote consumer) over
/// the bus, and its answer becomes the HTTP response. Invalid input is refused here, naming the field.
/// </summary>
public static class PayoutEndpoints
{
    /// <summary>The most any request body may hold, webhooks included: payouts and provider callbacks are a few KB.</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    private const int MaxCancelReasonLength = 200;

    public static IServiceCollection AddPayoutGateway(this IServiceCollection services)
    {
        // Kestrel counts chunked bodies too, and refuses past the limit while they are read.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.AddProblemDetails();
        services.AddExceptionHandler<RequestRefusedHandler>();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddOpenApi();
        services.AddHealthChecks();
        return services;
    }

    public static IEndpointRouteBuilder MapPayoutEndpoints(this IEndpointRouteBuilder app)
    {
        var payouts = app.MapGroup("/payouts").WithTags("Payouts");
        payouts.MapPost("/", RequestPayoutAsync).WithSummary("Request a payout (idempotent on externalId)").RequireAuthorization(Scopes.PayoutsWrite);
        payouts.MapGet("/", PayoutSearchEndpoint.ListAsync).WithSummary("Payouts, newest first, filtered and a page at a time (JSON or CSV)")
            .RequireAuthorization(Scopes.PayoutsReadOrOperations);
        payouts.MapGet("/{payoutId:guid}", GetPayoutAsync).WithSummary("A payout's status, confirmation details and history").RequireAuthorization(Scopes.PayoutsRead);
        payouts.MapPost("/{payoutId:guid}/confirm", ConfirmPayoutAsync).WithSummary("Confirm a payout awaiting confirmation").RequireAuthorization(Scopes.PayoutsApprove);
        payouts.MapPost("/{payoutId:guid}/cancel", CancelPayoutAsync).WithSummary("Cancel a payout awaiting confirmation").RequireAuthorization(Scopes.PayoutsApprove);
        payouts.MapPost("/quote", QuoteAsync).WithSummary("What a payout would cost at a provider").RequireAuthorization(Scopes.PayoutsWrite);
        return app;
    }

    private static async Task<IResult> RequestPayoutAsync(HttpRequest http, IRequestClient<RequestPayout> client)
    {
        var (body, problem) = await ReadAsync<PayoutRequestBody>(http);
        if (problem is not null)
            return problem;
        var command = body!.ToCommand(ClientOf(http.HttpContext));
        if (PayoutRequestValidator.ValidateAtIntake(command) is { Count: > 0 } errors)
            return Refused(errors, "The payout request is invalid.");
        // Without a provider the saga routes the payout to one configured here.
        if (command.Provider != default && NotConfigured(http.HttpContext, command.Provider) is { } disabled)
            return disabled;

        return await AskAsync(http.HttpContext, command.PayoutId, async deadline =>
        {
            var response = await client.GetResponse<PayoutSnapshot, PayoutRejected>(command, deadline);
            if (response.Is(out Response<PayoutSnapshot>? accepted))
                return Results.Accepted($"/payouts/{accepted.Message.PayoutId}", new PayoutAcceptedView(accepted.Message.PayoutId, accepted.Message.Status));

            response.Is(out Response<PayoutRejected>? refused);
            var rejected = refused!.Message;
            return rejected.Code == "external_id_conflict"
                ? Results.Problem(title: "External id already used", detail: rejected.Reason, statusCode: StatusCodes.Status409Conflict)
                : Results.ValidationProblem(rejected.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                    detail: rejected.Reason);
        });
    }

    private static Task<IResult> GetPayoutAsync(Guid payoutId, HttpContext http, IRequestClient<GetPayout> client) =>
        AskAsync(http, payoutId, async deadline =>
            await VisibleAsync(http, client, payoutId, deadline) is { } found
                ? Results.Ok(PayoutView.From(found))
                : NotFound(payoutId));

    /// <summary>
    /// The payout, if the caller may see it: its own, or any with <c>operations</c>. Another client's
    /// payout is answered as one that does not exist, so that its id tells a stranger nothing.
    /// </summary>
    private static async Task<PayoutSnapshot?> VisibleAsync(HttpContext http, IRequestClient<GetPayout> client, Guid payoutId, CancellationToken deadline)
    {
        var response = await client.GetResponse<PayoutSnapshot, PayoutNotFound>(new GetPayout(payoutId), deadline);
        return response.Is(out Response<PayoutSnapshot>? found)
               && (found.Message.Client == ClientOf(http) || Scopes.Has(http.User, Scopes.Operations))
            ? found.Message
            : null;
    }

    /// <summary>The calling client, as its key names it.</summary>
    internal static string ClientOf(HttpContext http) =>
        http.User.FindFirst(ApiKeyAuthenticationHandler.ClientClaim)?.Value
        ?? throw new InvalidOperationException("Payout endpoints require an authenticated client.");

    private static async Task<IResult> ConfirmPayoutAsync(Guid payoutId, HttpRequest http, IRequestClient<GetPayout> payouts, IRequestClient<ConfirmPayout> client)
    {
        var (body, problem) = await ReadAsync<ConfirmBody>(http);
        if (problem is not null)
            return problem;
        if (string.IsNullOrWhiteSpace(body!.DepositAddress))
            return Invalid("depositAddress", "is required: the provider's deposit address, as GET /payouts/{id} shows it.");
        if (TextProblem(("depositAddress", body.DepositAddress)) is { } text)
            return text;
        if (body.Amount <= 0)
            return Invalid("amount", "is required: the payout amount, as GET /payouts/{id} shows it.");

        return await AskAsync(http.HttpContext, payoutId, async deadline =>
            await VisibleAsync(http.HttpContext, payouts, payoutId, deadline) is null
                ? NotFound(payoutId)
                : CommandResult(payoutId, await client.GetResponse<PayoutSnapshot, PayoutCommandRejected, PayoutNotFound>(
                    new ConfirmPayout(payoutId, body.DepositAddress, body.Amount, ClientOf(http.HttpContext)), deadline)));
    }

    private static async Task<IResult> CancelPayoutAsync(Guid payoutId, HttpRequest http, IRequestClient<GetPayout> payouts, IRequestClient<CancelPayout> client)
    {
        CancelBody? body = null;
        if (http.ContentLength is > 0)
        {
            var (read, problem) = await ReadAsync<CancelBody>(http);
            if (problem is not null)
                return problem;
            if (read!.Reason is { Length: > MaxCancelReasonLength })
                return Invalid("reason", $"must be at most {MaxCancelReasonLength} characters.");
            if (TextProblem(("reason", read.Reason)) is { } text)
                return text;
            body = read;
        }

        return await AskAsync(http.HttpContext, payoutId, async deadline =>
            await VisibleAsync(http.HttpContext, payouts, payoutId, deadline) is null
                ? NotFound(payoutId)
                : CommandResult(payoutId, await client.GetResponse<PayoutSnapshot, PayoutCommandRejected, PayoutNotFound>(
                    new CancelPayout(payoutId, body?.Reason, ClientOf(http.HttpContext)), deadline)));
    }

    private static async Task<IResult> QuoteAsync(HttpRequest http, IRequestClient<RequestPayoutQuote> client)
    {
        var (body, problem) = await ReadAsync<QuoteBody>(http);
        if (problem is not null)
            return problem;
        var request = new RequestPayoutQuote(body!.Provider ?? default, new Money(body.Amount, body.Currency ?? "", body.Network ?? ""), body.Dfns);
        if (PayoutRequestValidator.ValidateQuote(request) is { Count: > 0 } errors)
            return Refused(errors, "The quote request is invalid.");
        if (NotConfigured(http.HttpContext, request.Provider) is { } disabled)
            return disabled;

        return await AskAsync(http.HttpContext, Guid.Empty, async deadline =>
        {
            var response = await client.GetResponse<PayoutQuote, PayoutQuoteUnavailable>(request, deadline);
            if (response.Is(out Response<PayoutQuoteUnavailable>? unavailable))
                return Results.Problem(title: "No quote", detail: unavailable.Message.Reason, statusCode: StatusCodes.Status422UnprocessableEntity);
            response.Is(out Response<PayoutQuote>? quoted);
            var q = quoted!.Message;
            return Results.Ok(new QuoteView(q.Provider, Text(q.Amount.Amount), q.Amount.Currency, Text(q.Fee), q.FeeCurrency, Text(q.NetAmount), q.NetCurrency, q.QuotedAt));
        });
    }

    /// <summary>
    /// Accepted (202), refused for a mismatch (422, nothing sent), refused to the payout's own requester
    /// under the four-eyes rule (403), refused in this state (409), or unknown (404).
    /// </summary>
    private static IResult CommandResult(Guid payoutId, Response<PayoutSnapshot, PayoutCommandRejected, PayoutNotFound> response)
    {
        if (response.Is(out Response<PayoutSnapshot>? ok))
            return Results.Accepted($"/payouts/{payoutId}", PayoutView.From(ok.Message));
        if (!response.Is(out Response<PayoutCommandRejected>? refused))
            return NotFound(payoutId);
        var status = refused.Message.Code switch
        {
            "confirmation_mismatch" => StatusCodes.Status422UnprocessableEntity,
            "same_approver" => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status409Conflict,
        };
        return Results.Problem(title: $"{refused.Message.Command} refused", detail: refused.Message.Reason, statusCode: status);
    }

    /// <summary>
    /// Runs a request to the saga within <c>Payouts:GatewayTimeout</c>, counting from before the
    /// command is handed to the bus (with the broker down, the hand-over itself waits). When no
    /// answer comes in time the outcome is unknown, and the caller is told to repeat the same
    /// request: every gateway call is safe to repeat.
    /// </summary>
    private static async Task<IResult> AskAsync(HttpContext http, Guid payoutId, Func<CancellationToken, Task<IResult>> ask)
    {
        var timeout = http.RequestServices.GetRequiredService<IOptions<PayoutsOptions>>().Value.GatewayTimeout;
        System.Diagnostics.Activity.Current?.SetTag(Observability.PayoutsTelemetry.Tags.PayoutId, payoutId);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(timeout);
        try
        {
            // With the broker gone, MassTransit's hand-over can outlast its own cancellation; the
            // caller is answered at the deadline regardless, and whatever the hand-over does later
            // is what repeating the same request will find.
            return await ask(deadline.Token).WaitAsync(deadline.Token);
        }
        catch (Exception e) when (e is RequestTimeoutException || (e is OperationCanceledException && !http.RequestAborted.IsCancellationRequested))
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PayoutEndpoints))
                .LogWarning("Payout {PayoutId}: no answer from the saga within {Timeout} ({Reason})", payoutId, timeout, e.GetType().Name);
            return Results.Problem(title: "No answer in time",
                detail: "The payout processor did not answer in time. Repeat the same request: it is idempotent.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    internal static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest http)
        where T : class
    {
        if (!http.HasJsonContentType())
            return (null, Results.Problem(title: "Unsupported media type", detail: "Send the body as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType));
        var options = http.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(http.Body, options, http.HttpContext.RequestAborted);
            return body is null ? (null, Invalid("body", "is required.")) : (body, null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            // The serializer's own text names .NET types; say what the caller can act on instead.
            var message = field switch
            {
                "body" => "is not valid JSON.",
                "provider" => $"must be one of {PayoutProviderNames.All}.",
                _ when e.InnerException is null && !e.Message.StartsWith("The JSON value", StringComparison.Ordinal) => e.Message.Split(" Path:")[0],
                _ => "has a value of the wrong type.",
            };
            return (null, Invalid(field, message));
        }
    }

    /// <summary>A provider this processor has no credentials for takes no payouts: 422 with code <c>provider_not_configured</c>, nothing sent.</summary>
    private static IResult? NotConfigured(HttpContext http, PayoutProvider provider)
    {
        var configured = http.RequestServices.GetRequiredService<ConfiguredProviders>();
        return configured.Has(provider)
            ? null
            : Results.Problem(title: "Provider not configured", detail: configured.Describe(provider), statusCode: StatusCodes.Status422UnprocessableEntity,
                extensions: new Dictionary<string, object?> { ["code"] = ConfiguredProviders.NotConfigured });
    }

    private static IResult? TextProblem(params ReadOnlySpan<(string Field, string? Value)> fields)
    {
        var errors = new List<FieldError>();
        PayoutRequestValidator.CheckText(errors, fields);
        return errors.Count > 0 ? Refused(errors, "The request is invalid.") : null;
    }

    internal static IResult Refused(IReadOnlyList<FieldError> errors, string title) =>
        Results.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()), title: title);

    internal static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is invalid.");

    private static IResult NotFound(Guid payoutId) =>
        Results.Problem(title: "Payout not found", detail: $"There is no payout {payoutId}.", statusCode: StatusCodes.Status404NotFound);

    private static string Text(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
