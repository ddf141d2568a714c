using System.Net;
using System.Net.Http.Json;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// RabbitMQ stopped and started again while payouts are in flight: nothing is lost, nothing is paid
/// twice, and what the host could not hand to the broker meanwhile is answered honestly.
/// </summary>
[Collection(BrokerRestartCollection.Name)]
public sealed class BrokerRestartTests
{
    [Fact]
    public async Task Payouts_in_flight_when_the_broker_restarts_complete_once()
    {
        await using var world = await RestartableHost.StartAsync(RestartableHost.RabbitMq);
        await using var host = await world.StartHostAsync(new Dictionary<string, string> { ["Payouts:GatewayTimeout"] = "00:00:05" });
        var inFlight = await world.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        var requestedWhileDown = PayoutsHostFixture.Sample("calypso");

        await RabbitMqBroker.RestartAsync(whileDown: async () =>
        {
            // The saga cannot be reached: the gateway must say so, not accept a payout it cannot keep.
            using var refused = await world.Http.PostAsJsonAsync("/payouts", requestedWhileDown);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        });

        var retried = await Eventually.Until(async () =>
        {
            using var response = await world.Http.PostAsJsonAsync("/payouts", requestedWhileDown);
            return response.StatusCode == HttpStatusCode.Accepted ? (await response.Content.ReadFromJsonAsync<PayoutIdOnly>())!.PayoutId : (Guid?)null;
        }, id => id is not null, "the gateway to accept the repeated request once the broker is back");
        var first = await world.WaitForStatusAsync(inFlight, "Completed");
        var second = await world.WaitForStatusAsync(retried!.Value, "Completed");

        Assert.Single(world.Sandbox.Ledger.Transfers, t => t.Reference == (string)first["providerReference"]!);
        Assert.Single(world.Sandbox.Ledger.Transfers, t => t.Reference == (string)second["providerReference"]!);
        Assert.Equal(2, world.Sandbox.Ledger.Transfers.Count);
    }

    private sealed record PayoutIdOnly(Guid PayoutId);
}

/// <summary>Restarting the broker would pull it from under every other RabbitMQ test: these run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerRestartCollection
{
    public const string Name = "broker-restart";
}
