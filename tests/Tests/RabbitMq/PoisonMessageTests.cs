using System.Text;
using Payouts.Bus.Tests.Support;
using RabbitMQ.Client;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>Messages the processor can never handle are set aside with their reason, and the rest keep flowing.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PoisonMessageTests(RabbitMqHostFixture host)
{
    [Fact]
    public async Task Malformed_message_is_dead_lettered_with_its_reason_and_good_ones_keep_flowing()
    {
        var factory = new ConnectionFactory { Uri = new Uri(RabbitMqHostFixture.BrokerUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var marker = Guid.NewGuid().ToString("N");
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString(), Persistent = true };

        await channel.BasicPublishAsync("", "payout-state", mandatory: true, properties, Encoding.UTF8.GetBytes($"{{ not json {marker}"));

        var deadLettered = await Eventually.Until(async () =>
        {
            // A fresh channel each time: until MassTransit creates the error queue, asking for it closes the channel.
            await using var probe = await connection.CreateChannelAsync();
            try
            {
                var message = await probe.BasicGetAsync("payout-state_error", autoAck: true);
                return message is not null && Encoding.UTF8.GetString(message.Body.Span).Contains(marker, StringComparison.Ordinal) ? message : null;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return null;
            }
        }, m => m is not null, "the malformed message in payout-state_error");
        var headers = deadLettered!.BasicProperties.Headers!;
        Assert.True(headers.ContainsKey("MT-Reason"), string.Join(", ", headers.Keys));
        Assert.True(headers.ContainsKey("MT-Fault-Message"), string.Join(", ", headers.Keys));

        var id = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        await host.WaitForStatusAsync(id, "Completed");
    }
}
