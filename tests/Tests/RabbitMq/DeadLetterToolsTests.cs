using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Payouts.Bus.Host.DeadLetters;
using Payouts.Bus.Tests.Support;
using RabbitMQ.Client;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// The dead-letter tools (HTTP and command line) on the real broker: a host of their own, so that
/// purging its <c>payout-state_error</c> never touches another test's dead letters.
/// </summary>
public sealed class DeadLetterToolsTests(RabbitMqHostFixture host) : IClassFixture<RabbitMqHostFixture>
{
    private const string ErrorQueue = "payout-state_error";

    private bool _errorQueueMade;

    [Fact]
    public async Task Dead_letter_is_listed_with_its_reason_and_shown_with_its_headers_and_stays_where_it_is()
    {
        var marker = $"poison-{Guid.NewGuid():N}";
        var messageId = await PublishAsync("payout-state", marker, "text/plain");

        var listed = await WaitListedAsync(messageId);
        var shown = await GetJsonAsync($"/dead-letters/{ErrorQueue}/{messageId}");
        var queues = await GetJsonAsync("/dead-letters");

        Assert.Contains("text/plain", (string?)listed["reason"]);
        Assert.False(string.IsNullOrEmpty((string?)listed["exceptionType"]));
        Assert.True((double?)listed["ageSeconds"] >= 0, listed.ToJsonString());
        Assert.Contains(marker, (string?)shown["body"]);
        Assert.NotNull(shown["headers"]!["MT-Fault-Message"]);
        Assert.Contains(queues.AsArray(), q => (string?)q!["name"] == ErrorQueue && (long?)q["messages"] >= 1 && (string?)q["sourceQueue"] == "payout-state");
        // Reading took nothing away.
        Assert.Contains(await ListAsync(), l => (string?)l["messageId"] == messageId);
    }

    [Fact]
    public async Task Replayed_dead_letter_is_consumed_once_even_when_it_was_dead_lettered_twice()
    {
        var payoutId = Guid.NewGuid();
        var messageId = Guid.NewGuid().ToString();
        var request = RequestPayoutEnvelope(messageId, payoutId);
        await using var repeats = await EventQueue.BindAsync(host.HostBrokerUrl, "payouts.payout-already-requested");
        // As if the message had failed twice while the database was down: two copies, one message id.
        await PublishAsync(ErrorQueue, request, SagaQueue.MassTransitJson, messageId);
        await PublishAsync(ErrorQueue, request, SagaQueue.MassTransitJson, messageId);
        await WaitListedAsync(messageId);

        using var replay = await host.Http.PostAsJsonAsync($"/dead-letters/{ErrorQueue}/replay", new { all = true });
        var replayed = (await replay.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.True(replay.StatusCode == HttpStatusCode.OK, replayed.ToJsonString());
        Assert.True((int?)replayed["replayed"] >= 2, replayed.ToJsonString());
        await Eventually.Until(async () => { using var found = await host.Http.GetAsync($"/payouts/{payoutId}"); return found.StatusCode; },
            s => s == HttpStatusCode.OK, $"payout {payoutId} to be made by the replayed request");
        var paid = await host.WaitForStatusAsync(payoutId, "Completed");
        Assert.DoesNotContain(await ListAsync(), l => (string?)l["messageId"] == messageId);
        // A repeat under a new message id is answered as a repeat; the second copy never was.
        await PublishAsync("payout-state", RequestPayoutEnvelope(Guid.NewGuid().ToString(), payoutId), SagaQueue.MassTransitJson);
        await repeats.FirstContainingAsync(payoutId.ToString());
        Assert.Single(repeats.Containing(payoutId.ToString()));
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == (string?)paid["providerReference"]);
    }

    [Fact]
    public async Task Purge_takes_the_queue_name_to_empty_it_and_one_id_deletes_only_that_message()
    {
        var first = await PublishAsync(ErrorQueue, "first", "text/plain");
        var second = await PublishAsync(ErrorQueue, "second", "text/plain");
        await WaitListedAsync(second);

        using var unconfirmed = await host.Http.PostAsJsonAsync($"/dead-letters/{ErrorQueue}/purge", new { all = true });
        using var one = await host.Http.PostAsJsonAsync($"/dead-letters/{ErrorQueue}/purge", new { messageId = first });
        var afterOne = await ListAsync();
        using var all = await host.Http.PostAsJsonAsync($"/dead-letters/{ErrorQueue}/purge", new { all = true, confirm = ErrorQueue });

        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.DoesNotContain(afterOne, l => (string?)l["messageId"] == first);
        Assert.Contains(afterOne, l => (string?)l["messageId"] == second);
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Only_the_processors_error_queues_are_reachable_and_only_with_operations()
    {
        using var reader = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ReadOnly);

        using var notErrorQueue = await host.Http.GetAsync("/dead-letters/payout-state");
        using var elsewhere = await host.Http.PostAsJsonAsync("/dead-letters/amq.direct/purge", new { all = true, confirm = "amq.direct" });
        using var neither = await host.Http.PostAsJsonAsync($"/dead-letters/{ErrorQueue}/replay", new { });
        using var withoutScope = await reader.GetAsync("/dead-letters");

        Assert.Equal(HttpStatusCode.NotFound, notErrorQueue.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, neither.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.StatusCode);
    }

    [Fact]
    public async Task Command_line_lists_replays_and_purges_only_when_the_queue_name_is_typed_back()
    {
        var messageId = await PublishAsync(ErrorQueue, "cli-poison", "text/plain");
        await WaitListedAsync(messageId);

        var (listCode, listed) = await RunAsync("", "dead-letters", "list", "--queue", ErrorQueue);
        var (refusedCode, _) = await RunAsync("not-the-name\n", "dead-letters", "purge", "--queue", ErrorQueue, "--id", messageId);
        var stillThere = await ListAsync();
        var (purgeCode, purged) = await RunAsync($"{ErrorQueue}\n", "dead-letters", "purge", "--queue", ErrorQueue, "--id", messageId);
        var (unknownCode, _) = await RunAsync("", "dead-letters", "list", "--queue", "payout-state");

        Assert.Equal(0, listCode);
        Assert.Contains(messageId, listed);
        Assert.Equal(2, refusedCode);
        Assert.Contains(stillThere, l => (string?)l["messageId"] == messageId);
        Assert.Equal(0, purgeCode);
        Assert.Contains("deleted 1 message(s)", purged);
        Assert.DoesNotContain(await ListAsync(), l => (string?)l["messageId"] == messageId);
        Assert.Equal(2, unknownCode);
    }

    private async Task<(int Code, string Output)> RunAsync(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DeadLetterCommands.RunAsync(host.Services, args, new StringReader(input), output, error);
        return (code, output + error.ToString());
    }

    /// <summary>A RequestPayout in MassTransit's envelope, as it sits in a queue.</summary>
    private static string RequestPayoutEnvelope(string messageId, Guid payoutId) => $$"""
        {
          "messageId": "{{messageId}}",
          "messageType": ["urn:message:payouts:request-payout"],
          "message": {
            "payoutId": "{{payoutId}}",
            "externalId": "replayed-{{payoutId:N}}",
            "provider": "TheDex",
            "amount": { "amount": "42.00", "currency": "USDT", "network": "Tron" },
            "destination": "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy"
          }
        }
        """;

    /// <summary>
    /// Publishes straight to a queue through the default exchange; returns the message id. The error
    /// queue is made by the processor (as it declares it) the first time a message fails there.
    /// </summary>
    private async Task<string> PublishAsync(string queue, string body, string contentType, string? messageId = null)
    {
        if (queue == ErrorQueue && !_errorQueueMade)
        {
            await WaitListedAsync(await PublishAsync("payout-state", "makes the error queue", "text/plain"));
            _errorQueueMade = true;
        }
        messageId ??= Guid.NewGuid().ToString();
        var factory = new ConnectionFactory { Uri = new Uri(host.HostBrokerUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { ContentType = contentType, MessageId = messageId, Persistent = true };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
        return messageId;
    }

    private async Task<List<JsonObject>> ListAsync() =>
        (await GetJsonAsync($"/dead-letters/{ErrorQueue}?limit=1000")).AsArray().Select(l => l!.AsObject()).ToList();

    private async Task<JsonObject> WaitListedAsync(string messageId) =>
        (await Eventually.Until(async () => (await ListAsync()).FirstOrDefault(l => (string?)l["messageId"] == messageId),
            l => l is not null, $"message {messageId} in {ErrorQueue}"))!;

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await host.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}
