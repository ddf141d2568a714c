using System.Text;
using System.Text.Json.Nodes;
using Payouts.Bus.Tests.Support;
using RabbitMQ.Client;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// The bus as a team without .NET or MassTransit sees it, following the README: exchanges named for
/// the contract, commands published as plain JSON, events read from their exchanges. Only RabbitMQ.Client here.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class LanguageNeutralContractTests(RabbitMqHostFixture host)
{
    [Fact]
    public async Task Plain_json_request_is_paid_and_its_amount_comes_back_spelled_as_sent()
    {
        var payoutId = Guid.NewGuid();
        var factory = new ConnectionFactory { Uri = new Uri(host.HostBrokerUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();

        // A subscriber binds its own queue to the event exchange, as the README says.
        await using var completed = await EventQueue.BindAsync(host.HostBrokerUrl, "payouts.payout-completed");

        var command = $$"""
            {
              "payoutId": "{{payoutId}}",
              "externalId": "plain-json-{{payoutId:N}}",
              "provider": "TheDex",
              "amount": { "amount": "125.50", "currency": "USDT", "network": "Tron" },
              "destination": "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy"
            }
            """;
        // No message id, no MassTransit headers: only what any AMQP client sets.
        var properties = new BasicProperties { ContentType = "application/json", Persistent = true };
        await channel.BasicPublishAsync("payouts.request-payout", "", mandatory: true, properties, Encoding.UTF8.GetBytes(command));

        var message = JsonNode.Parse((await completed.FirstContainingAsync(payoutId.ToString())).Body)!["message"]!;
        Assert.Equal("125.50", (string?)message["amount"]?["amount"]);
        var payout = await host.WaitForStatusAsync(payoutId, "Completed");
        Assert.Equal("125.50", (string?)payout["amount"]);
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == (string?)message["providerReference"]);
    }

    [Fact]
    public async Task Exchanges_are_named_for_the_contract_never_for_a_dotnet_type()
    {
        await host.RequestAsync(PayoutsHostFixture.Sample("oxapay"));
        var vhost = new Uri(host.HostBrokerUrl).AbsolutePath.TrimStart('/');

        var exchanges = (await RabbitMqBroker.ControlAsync("list_exchanges", "-p", vhost, "name"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.Contains("payouts.request-payout", exchanges);
        Assert.Contains("payouts.payout-accepted", exchanges);
        Assert.DoesNotContain(exchanges, name => name.Contains("Payouts.Bus", StringComparison.OrdinalIgnoreCase));
    }
}
