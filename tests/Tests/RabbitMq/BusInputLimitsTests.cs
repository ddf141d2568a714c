using System.Text;
using System.Text.Json.Nodes;
using Payouts.Bus.Tests.Support;
using RabbitMQ.Client;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// What any client on the broker can send is bounded before the processor acts on it: oversized or
/// unreadable messages are set aside with the reason, the queue keeps moving, and nothing a client
/// attached rides on the messages the processor sends.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BusInputLimitsTests(RabbitMqHostFixture host)
{
    [Theory]
    [InlineData(200 * 1024)]
    [InlineData(5 * 1024 * 1024)]
    public async Task Request_with_oversized_headers_is_dead_lettered_and_the_next_payouts_complete(int headerBytes)
    {
        var marker = "big-" + Guid.NewGuid().ToString("N");
        var envelope = RequestEnvelope(Guid.NewGuid(), marker, new JsonObject { ["X-Upstream-Notes"] = new string('h', headerBytes) });

        var headers = await SagaQueue.PublishAndReadFromErrorQueueAsync(host.HostBrokerUrl, envelope, marker);

        Assert.Matches("(headers|body) hold", SagaQueue.Header(headers, "MT-Fault-Message"));
        foreach (var provider in new[] { "thedex", "calypso" })
            await host.WaitForStatusAsync(await host.RequestAsync(PayoutsHostFixture.Sample(provider)), "Completed");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task Request_in_a_content_type_the_processor_does_not_read_is_dead_lettered_and_never_paid(string? contentType)
    {
        var payoutId = Guid.NewGuid();
        var marker = "type-" + Guid.NewGuid().ToString("N");

        var headers = await SagaQueue.PublishAndReadFromErrorQueueAsync(host.HostBrokerUrl, RequestEnvelope(payoutId, marker), marker, contentType);

        Assert.Contains($"Content type '{contentType ?? "(none)"}' is not read here", SagaQueue.Header(headers, "MT-Fault-Message"), StringComparison.Ordinal);
        using var response = await host.Http.GetAsync($"/payouts/{payoutId}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Headers_a_client_attached_do_not_ride_on_the_events_the_processor_publishes()
    {
        var payoutId = Guid.NewGuid();
        var marker = "tag-" + Guid.NewGuid().ToString("N");
        await using var accepted = await EventQueue.BindAsync(host.HostBrokerUrl, "payouts.payout-accepted");
        var factory = new ConnectionFactory { Uri = new Uri(host.HostBrokerUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();

        var properties = new BasicProperties
        {
            ContentType = SagaQueue.MassTransitJson, MessageId = Guid.NewGuid().ToString(), Persistent = true,
            Headers = new Dictionary<string, object?> { ["X-Upstream-Tag"] = marker },
        };
        await channel.BasicPublishAsync("", "payout-state", mandatory: true, properties,
            Encoding.UTF8.GetBytes(RequestEnvelope(payoutId, "tagged-" + payoutId.ToString("N"), new JsonObject { ["X-Upstream-Envelope-Tag"] = marker })));

        var (envelope, transport) = await accepted.FirstContainingAsync(payoutId.ToString());
        Assert.DoesNotContain(marker, envelope, StringComparison.Ordinal);
        Assert.DoesNotContain(transport.Values, v => v is byte[] bytes && Encoding.UTF8.GetString(bytes).Contains(marker, StringComparison.Ordinal));
    }

    /// <summary>A valid TheDex RequestPayout in MassTransit's envelope, with the given envelope headers.</summary>
    private static string RequestEnvelope(Guid payoutId, string externalId, JsonObject? headers = null) => new JsonObject
    {
        ["messageId"] = Guid.NewGuid().ToString(),
        ["messageType"] = new JsonArray("urn:message:payouts:request-payout"),
        ["headers"] = headers ?? new JsonObject(),
        ["message"] = new JsonObject
        {
            ["payoutId"] = payoutId.ToString(),
            ["externalId"] = externalId,
            ["provider"] = "TheDex",
            ["amount"] = new JsonObject { ["amount"] = "125.50", ["currency"] = "USDT", ["network"] = "Tron" },
            ["destination"] = "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy",
        },
    }.ToJsonString();
}
