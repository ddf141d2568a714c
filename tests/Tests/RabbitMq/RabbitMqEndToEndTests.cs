using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Payouts.Bus.Contracts;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>Payouts over the real RabbitMQ broker and PostgreSQL, with the sandbox on loopback.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqEndToEndTests(RabbitMqHostFixture host)
{
    [Theory]
    [InlineData("thedex")]
    [InlineData("calypso")]
    [InlineData("oxapay")]
    public async Task Sample_payout_completes_over_the_broker_with_exactly_one_transfer(string provider)
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample(provider));

        var payout = await host.WaitForStatusAsync(id, "Completed");

        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
    }

    [Fact]
    public async Task Dfns_payout_completes_over_the_broker_after_confirmation()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await host.WaitForStatusAsync(id, "AwaitingConfirmation");

        using var confirmed = await host.Http.PostAsJsonAsync($"/payouts/{id}/confirm", new
        {
            depositAddress = (string)awaiting["confirmation"]!["depositAddress"]!,
            amount = (string)awaiting["confirmation"]!["amount"]!,
        });
        Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);

        var payout = await host.WaitForStatusAsync(id, "Completed");
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
    }

    [Fact]
    public async Task Upstream_on_the_broker_requests_payouts_and_hears_how_they_ended()
    {
        var completed = new ConcurrentBag<PayoutCompleted>();
        var failed = new ConcurrentBag<PayoutFailed>();
        var upstream = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(RabbitMqHostFixture.BrokerUrl));
            cfg.ReceiveEndpoint($"test-upstream-{Guid.NewGuid():N}", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<PayoutCompleted>(context => Task.Run(() => completed.Add(context.Message)));
                e.Handler<PayoutFailed>(context => Task.Run(() => failed.Add(context.Message)));
            });
        });
        await upstream.StartAsync();
        try
        {
            var good = new RequestPayout(Guid.NewGuid(), $"upstream-{Guid.NewGuid():N}", PayoutProvider.TheDex,
                new Money(42.5m, "USDT", "Tron"), "TQ4ZgZ9m8PCUxWnoxxqCmBjKkPkH8F9mqL");
            var doomed = good with { PayoutId = Guid.NewGuid(), ExternalId = $"upstream-{Guid.NewGuid():N}", Destination = PayoutsHostFixture.FailingAddress };

            await upstream.Publish(good);
            await upstream.Publish(doomed);

            await Eventually.Until(() => Task.FromResult(completed.Count + failed.Count), n => n >= 2, "both outcomes on the broker");
            var done = Assert.Single(completed);
            Assert.Equal(good.ExternalId, done.ExternalId);
            Assert.Equal(good.Amount, done.Amount);
            var lost = Assert.Single(failed);
            Assert.Equal(doomed.ExternalId, lost.ExternalId);
            Assert.Equal("provider_failed", lost.Code);
            Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == done.ProviderReference);
        }
        finally
        {
            await upstream.StopAsync();
        }
    }
}
