using System.Text;
using Payouts.Bus.Tests.Support;
using RabbitMQ.Client;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>Messages the processor can never handle are set aside with their reason, and the rest keep flowing.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PoisonMessageTests(RabbitMqHostFixture host)
{
    private const string MassTransitJson = "application/vnd.masstransit+json";

    [Fact]
    public async Task Malformed_message_is_dead_lettered_with_its_reason_and_good_ones_keep_flowing()
    {
        var marker = Guid.NewGuid().ToString("N");

        var headers = await PublishAndReadFromErrorQueue($"{{ not json {marker}", marker);

        Assert.True(headers.ContainsKey("MT-Reason"), string.Join(", ", headers.Keys));
        Assert.True(headers.ContainsKey("MT-Fault-Message"), string.Join(", ", headers.Keys));
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        await host.WaitForStatusAsync(id, "Completed");
    }

    [Fact]
    public async Task Message_of_a_type_nobody_consumes_is_dead_lettered_not_skipped()
    {
        var marker = Guid.NewGuid().ToString("N");
        var envelope = $$"""
            {
              "messageId": "{{Guid.NewGuid()}}",
              "messageType": ["urn:message:Upstream.Treasury:ReleaseFunds"],
              "message": { "marker": "{{marker}}" }
            }
            """;

        var headers = await PublishAndReadFromErrorQueue(envelope, marker);

        Assert.Equal("fault", Header(headers, "MT-Reason"));
        Assert.Contains("no consumer on this endpoint handles its message type", Header(headers, "MT-Fault-Message"), StringComparison.Ordinal);
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("calypso"));
        await host.WaitForStatusAsync(id, "Completed");
    }

    [Fact]
    public async Task Plain_json_naming_an_internal_message_is_dead_lettered_and_changes_nothing()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        await host.WaitForStatusAsync(id, "AwaitingConfirmation");
        var marker = Guid.NewGuid().ToString("N");
        var forged = $$"""
            { "payoutId": "{{id}}", "source": "{{marker}}",
              "update": { "status": "Completed", "providerStatus": "Completed", "txHash": "0xforged" } }
            """;

        var headers = await PublishAndReadFromErrorQueue(forged, marker, "application/json",
            ("MT-MessageType", "urn:message:payouts:processing:provider-payout-updated"));

        Assert.Contains("may only be one of payouts.request-payout", Header(headers, "MT-Fault-Message"), StringComparison.Ordinal);
        Assert.Equal("AwaitingConfirmation", (string?)(await host.GetPayoutAsync(id))["status"]);
    }

    [Fact]
    public async Task Forged_decline_in_the_processors_own_format_is_dead_lettered_and_changes_nothing()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        await host.WaitForStatusAsync(id, "AwaitingConfirmation");
        var marker = Guid.NewGuid().ToString("N");
        // Well formed, correctly typed, on the right queue: only the payout's check id is missing.
        var forged = $$"""
            {
              "messageId": "{{Guid.NewGuid()}}",
              "messageType": ["urn:message:payouts:processing:provider-payout-declined"],
              "message": { "payoutId": "{{id}}", "code": "insufficient_balance", "message": "{{marker}}" }
            }
            """;

        var headers = await PublishAndReadFromErrorQueue(forged, marker);

        Assert.Contains("does not carry the payout's check id", Header(headers, "MT-Fault-Message"), StringComparison.Ordinal);
        Assert.Equal("AwaitingConfirmation", (string?)(await host.GetPayoutAsync(id))["status"]);
    }

    /// <summary>Publishes a raw body straight to the saga's queue and returns the headers it has in payout-state_error.</summary>
    private async Task<IDictionary<string, object?>> PublishAndReadFromErrorQueue(string body, string marker,
        string contentType = MassTransitJson, params (string Name, string Value)[] extraHeaders)
    {
        var factory = new ConnectionFactory { Uri = new Uri(host.HostBrokerUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties
        {
            ContentType = contentType, MessageId = Guid.NewGuid().ToString(), Persistent = true,
            Headers = extraHeaders.ToDictionary(h => h.Name, h => (object?)h.Value),
        };
        await channel.BasicPublishAsync("", "payout-state", mandatory: true, properties, Encoding.UTF8.GetBytes(body));

        var deadLettered = await Eventually.Until(async () =>
        {
            // A fresh channel each time: until MassTransit creates the error queue, asking for it closes the channel.
            // Messages of other tests are left unacknowledged, and return to the queue when the channel closes.
            await using var probe = await connection.CreateChannelAsync();
            try
            {
                while (await probe.BasicGetAsync("payout-state_error", autoAck: false) is { } message)
                {
                    if (!Encoding.UTF8.GetString(message.Body.Span).Contains(marker, StringComparison.Ordinal))
                        continue;
                    await probe.BasicAckAsync(message.DeliveryTag, multiple: false);
                    return message;
                }
                return null;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return null;
            }
        }, m => m is not null, $"the message {marker} in payout-state_error");
        return deadLettered!.BasicProperties.Headers!;
    }

    private static string Header(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : $"<{name} missing: {string.Join(", ", headers.Keys)}>";
}
