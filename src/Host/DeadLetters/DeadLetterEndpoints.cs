using System.Text.Json;
using Payouts.Bus.Host.Access;

namespace Payouts.Bus.Host.DeadLetters;

/// <summary>
/// The dead-letter tools over HTTP, for the <c>operations</c> scope: the same as
/// <c>dotnet run --project src/Host -- dead-letters …</c> (<see cref="DeadLetterCommands"/>).
/// Only the processor's own <c>_error</c> queues can be named; purging everything takes the
/// queue's name typed back as <c>confirm</c>.
/// </summary>
public static class DeadLetterEndpoints
{
    public static IServiceCollection AddDeadLetterTools(this IServiceCollection services) => services.AddSingleton<DeadLetterQueues>();

    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder app)
    {
        var letters = app.MapGroup("/dead-letters").WithTags("Dead letters").RequireAuthorization(Scopes.Operations);
        letters.MapGet("/", QueuesAsync).WithSummary("Every _error queue of the processor and how many messages it holds");
        letters.MapGet("/{queue}", ListAsync).WithSummary("The first messages of one _error queue, with their fault, type, payout and age");
        letters.MapGet("/{queue}/{messageId}", ShowAsync).WithSummary("One dead letter with its headers and body");
        letters.MapPost("/{queue}/replay", ReplayAsync).WithSummary("Send one message (messageId) or all (all: true) back to the queue they failed on");
        letters.MapPost("/{queue}/purge", PurgeAsync).WithSummary("Delete one message (messageId) or all (all: true, confirm: the queue's name)");
        return app;
    }

    private static async Task<IResult> QueuesAsync(DeadLetterQueues tools, CancellationToken cancellationToken) =>
        Unavailable(tools) ?? Results.Ok(await tools.QueuesAsync(cancellationToken));

    private static async Task<IResult> ListAsync(string queue, int? limit, DeadLetterQueues tools, CancellationToken cancellationToken)
    {
        if (Refused(tools, queue) is { } refused)
            return refused;
        if (limit is < 1 or > DeadLetterQueues.MaxScan)
            return Invalid("limit", $"must be from 1 to {DeadLetterQueues.MaxScan}.");
        return Results.Ok(await tools.ListAsync(queue, limit ?? 50, cancellationToken));
    }

    private static async Task<IResult> ShowAsync(string queue, string messageId, DeadLetterQueues tools, CancellationToken cancellationToken) =>
        Refused(tools, queue)
        ?? (await tools.ShowAsync(queue, messageId, cancellationToken) is { } detail ? Results.Ok(detail) : NoSuchMessage(queue, messageId));

    private static async Task<IResult> ReplayAsync(string queue, HttpRequest http, DeadLetterQueues tools, CancellationToken cancellationToken)
    {
        if (Refused(tools, queue) is { } refused)
            return refused;
        var (action, problem) = await ReadAsync(http);
        if (problem is not null)
            return problem;
        var replayed = await tools.ReplayAsync(queue, action!.MessageId, cancellationToken);
        return action.MessageId is not null && replayed == 0 ? NoSuchMessage(queue, action.MessageId) : Results.Ok(new { queue, replayed });
    }

    private static async Task<IResult> PurgeAsync(string queue, HttpRequest http, DeadLetterQueues tools, CancellationToken cancellationToken)
    {
        if (Refused(tools, queue) is { } refused)
            return refused;
        var (action, problem) = await ReadAsync(http);
        if (problem is not null)
            return problem;
        if (action!.All && action.Confirm != queue)
            return Invalid("confirm", $"must be the queue's name ({queue}): purging deletes every message in it for good.");
        var purged = await tools.PurgeAsync(queue, action.MessageId, cancellationToken);
        return action.MessageId is not null && purged == 0 ? NoSuchMessage(queue, action.MessageId) : Results.Ok(new { queue, purged });
    }

    /// <summary>Body of replay and purge: one message by id, or all of them; never neither, never both.</summary>
    private sealed record DeadLetterAction(string? MessageId, bool All, string? Confirm);

    private static async Task<(DeadLetterAction? Action, IResult? Problem)> ReadAsync(HttpRequest http)
    {
        if (!http.HasJsonContentType())
            return (null, Results.Problem(title: "Unsupported media type", detail: "Send the body as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType));
        DeadLetterAction? action;
        try
        {
            action = await JsonSerializer.DeserializeAsync<DeadLetterAction>(http.Body, JsonSerializerOptions.Web, http.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return (null, Invalid("body", "is not valid JSON: {\"messageId\": \"…\"} or {\"all\": true}."));
        }
        if (action is null || (action.MessageId is null) != action.All)
            return (null, Invalid("messageId", "give either messageId (one message) or all: true (every message), not both."));
        return (action, null);
    }

    private static IResult? Refused(DeadLetterQueues tools, string queue) =>
        Unavailable(tools)
        ?? (DeadLetterQueues.IsKnown(queue)
            ? null
            : Results.Problem(title: "Not a dead-letter queue", statusCode: StatusCodes.Status404NotFound,
                detail: $"'{queue}' is not a dead-letter queue of the processor; they are {string.Join(", ", DeadLetterQueues.SourceQueues.Select(q => q + "_error"))}."));

    private static IResult? Unavailable(DeadLetterQueues tools) =>
        tools.Available
            ? null
            : Results.Problem(title: "No dead-letter queues", statusCode: StatusCodes.Status409Conflict,
                detail: "This processor runs on the in-memory bus, which keeps no dead letters beyond its process (Bus:Transport RabbitMq keeps them).");

    private static IResult NoSuchMessage(string queue, string messageId) =>
        Results.Problem(title: "No such dead letter", statusCode: StatusCodes.Status404NotFound,
            detail: $"No message {messageId} in {queue} (among its first {DeadLetterQueues.MaxScan}).");

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is invalid.");
}
