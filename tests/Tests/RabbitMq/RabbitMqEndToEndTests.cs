using System.Collections.Concurrent;
using MassTransit;
using Payouts.Bus.Contracts;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// What only the broker can show: an upstream system that talks to the processor through RabbitMQ
/// alone. (The whole lifecycle also runs on RabbitMQ + PostgreSQL in <c>RabbitMqLifecycleTests</c>.)
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqEndToEndTests(RabbitMqHostFixture host)
{
    [Fact]
    public async Task Upstream_on_the_broker_requests_payouts_and_hears_how_they_ended()
    {
        var completed = new ConcurrentBag<PayoutCompleted>();
        var failed = new ConcurrentBag<PayoutFailed>();
        var upstream = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(host.HostBrokerUrl));
            // What the README asks of a .NET upstream: the contract's exchange names.
            cfg.MessageTopology.SetEntityNameFormatter(new BusEntityNames(cfg.MessageTopology.EntityNameFormatter));
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
                new Money(42.5m, "USDT", "Tron"), "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy");
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

    [Fact]
    public async Task Provider_callback_reaches_the_saga_signed_and_is_never_dead_lettered()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));

        // The callback's update is stored with an id derived from the callback; it must be signed with that id.
        await host.WaitForStatusAsync(payoutId, "Completed");
        await Eventually.Until(() => host.GetPayoutAsync(payoutId),
            p => p["history"]!.AsArray().Any(h => ((string?)h!["reason"])?.StartsWith("thedex callback", StringComparison.Ordinal) == true),
            "the saga to record TheDex's callback");
    }
}
