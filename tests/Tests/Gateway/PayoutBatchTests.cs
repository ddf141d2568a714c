using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Payouts.Bus.Tests.Support;
using RabbitMQ.Client;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>Batches of payouts over HTTP and on the bus, on RabbitMQ + PostgreSQL, paid through the sandbox.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PayoutBatchTests(RabbitMqHostFixture host)
{
    [Fact]
    public async Task Batch_is_answered_with_a_line_per_item_and_completes_once_every_payout_ended()
    {
        await using var completed = await EventQueue.BindAsync(host.HostBrokerUrl, "payouts.payout-batch-completed");
        var batch = Batch($"batch-{Guid.NewGuid():N}",
            Item("thedex"), Item("calypso"), Item("oxapay"),
            Item("thedex", i => i["amount"] = "1.1234567"),
            Item("thedex", i => i["destination"] = PayoutsHostFixture.FailingAddress));

        var (status, answer) = await host.PostAsync("/payouts/batch", batch);

        Assert.Equal(HttpStatusCode.Accepted, status);
        var lines = answer["lines"]!.AsArray();
        Assert.Equal(["accepted", "accepted", "accepted", "refused", "accepted"], lines.Select(l => (string?)l!["outcome"]));
        Assert.Contains(lines[3]!["errors"]!.AsArray(), e => (string?)e!["field"] == "amount");
        var batchId = answer["batchId"]!.GetValue<Guid>();
        var done = await Eventually.Until(() => GetBatchAsync(batchId), b => b["completedAt"] is not null, $"batch {batchId} to complete");
        Assert.Equal(4, (int?)done["payouts"]);
        Assert.Equal(3, (int?)done["byState"]!.AsArray().Single(s => (string?)s!["state"] == "Completed")!["count"]);
        Assert.Equal(1, (int?)done["byState"]!.AsArray().Single(s => (string?)s!["state"] == "Failed")!["count"]);
        var heard = await completed.FirstContainingAsync(batchId.ToString());
        var envelope = JsonNode.Parse(heard.Body)!;
        Assert.Equal(4, (int?)envelope["message"]!["payouts"]);
        Assert.Equal(batchId, envelope["messageId"]!.GetValue<Guid>());
        foreach (var id in lines.Where(l => (string?)l!["outcome"] == "accepted").Take(3).Select(l => (string)l!["payoutId"]!))
            Assert.Single(host.Sandbox.Ledger.Transfers, t => t.ClientKey == id);
    }

    [Fact]
    public async Task Repeating_a_batch_changes_nothing_and_its_key_with_other_payouts_is_refused()
    {
        var batch = Batch($"batch-{Guid.NewGuid():N}", Item("thedex"), Item("calypso"));

        var (firstStatus, first) = await host.PostAsync("/payouts/batch", batch);
        var (againStatus, again) = await host.PostAsync("/payouts/batch", batch);
        var other = Batch((string)batch["externalId"]!, Item("thedex"));
        var (otherStatus, _) = await host.PostAsync("/payouts/batch", other);

        Assert.Equal(HttpStatusCode.Accepted, firstStatus);
        Assert.Equal(HttpStatusCode.Accepted, againStatus);
        Assert.Equal((string?)first["batchId"], (string?)again["batchId"]);
        Assert.Equal(Ids(first), Ids(again));
        Assert.Equal(HttpStatusCode.Conflict, otherStatus);
        foreach (var id in Ids(first))
            await host.WaitForStatusAsync(Guid.Parse(id), "Completed");
        var items = (await GetBatchAsync(first["batchId"]!.GetValue<Guid>()))["items"]!.AsArray();
        Assert.Equal(Ids(first), items.Select(i => (string)i!["payoutId"]!));
        foreach (var id in Ids(first))
            Assert.Single(host.Sandbox.Ledger.Transfers, t => t.ClientKey == id);
    }

    [Fact]
    public async Task Batch_too_large_or_repeating_an_external_id_is_refused_whole_and_nothing_is_requested()
    {
        var repeated = Item("thedex");
        var twice = Batch($"batch-{Guid.NewGuid():N}", repeated, Item("calypso"), repeated.DeepClone().AsObject());
        var tooMany = Batch($"batch-{Guid.NewGuid():N}", Enumerable.Range(0, 1_001).Select(_ => Item("thedex")).ToArray());

        var (twiceStatus, twiceBody) = await host.PostAsync("/payouts/batch", twice);
        var (tooManyStatus, tooManyBody) = await host.PostAsync("/payouts/batch", tooMany);
        var (noKeyStatus, noKeyBody) = await host.PostAsync("/payouts/batch", new JsonObject { ["payouts"] = new JsonArray(Item("thedex")) });

        Assert.Equal(HttpStatusCode.BadRequest, twiceStatus);
        Assert.NotNull(twiceBody["errors"]!["payouts[2].externalId"]);
        Assert.Equal(HttpStatusCode.BadRequest, tooManyStatus);
        Assert.NotNull(tooManyBody["errors"]!["payouts"]);
        Assert.Equal(HttpStatusCode.BadRequest, noKeyStatus);
        Assert.NotNull(noKeyBody["errors"]!["externalId"]);
        using var listed = await host.Http.GetAsync($"/payouts?externalId={(string)repeated["externalId"]!}");
        Assert.Empty((await listed.Content.ReadFromJsonAsync<JsonObject>())!["payouts"]!.AsArray());
    }

    [Fact]
    public async Task Batch_published_as_plain_json_on_the_bus_is_answered_with_its_lines()
    {
        await using var accepted = await EventQueue.BindAsync(host.HostBrokerUrl, "payouts.payout-batch-accepted");
        var batchId = Guid.NewGuid();
        var payoutId = Guid.NewGuid();
        var command = $$"""
            {
              "batchId": "{{batchId}}",
              "externalId": "bus-batch-{{batchId:N}}",
              "payouts": [
                {
                  "payoutId": "{{payoutId}}",
                  "externalId": "bus-batch-item-{{payoutId:N}}",
                  "provider": "TheDex",
                  "amount": { "amount": "12.50", "currency": "USDT", "network": "Tron" },
                  "destination": "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy"
                }
              ]
            }
            """;
        var factory = new ConnectionFactory { Uri = new Uri(host.HostBrokerUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicPublishAsync("payouts.request-payout-batch", "", mandatory: true,
            new BasicProperties { ContentType = "application/json", Persistent = true }, Encoding.UTF8.GetBytes(command));

        var answer = JsonNode.Parse((await accepted.FirstContainingAsync(batchId.ToString())).Body)!["message"]!;
        Assert.Equal("accepted", (string?)answer["lines"]![0]!["outcome"]);
        Assert.Equal(payoutId, answer["lines"]![0]!["payoutId"]!.GetValue<Guid>());
        await host.WaitForStatusAsync(payoutId, "Completed");
    }

    private static JsonObject Batch(string externalId, params JsonObject[] payouts) =>
        new() { ["externalId"] = externalId, ["payouts"] = new JsonArray(payouts.Select(p => (JsonNode)p).ToArray()) };

    private static JsonObject Item(string provider, Action<JsonObject>? change = null)
    {
        var item = PayoutsHostFixture.Sample(provider);
        change?.Invoke(item);
        return item;
    }

    private static List<string> Ids(JsonObject answer) =>
        answer["lines"]!.AsArray().Select(l => (string)l!["payoutId"]!).ToList();

    private async Task<JsonObject> GetBatchAsync(Guid batchId)
    {
        using var response = await host.Http.GetAsync($"/batches/{batchId}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /batches/{batchId} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
