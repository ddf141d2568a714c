using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// Submissions of one payout that race each other (the resubmission timer and a message resent
/// after a crash, say) each look the payout up before creating it; only one may run at a time, or
/// both find nothing and both create it. TheDex has no idempotency key to save us.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SubmissionRaceTests(RabbitMqHostFixture host)
{
    [Fact]
    public async Task Submissions_of_one_payout_racing_each_other_create_it_once()
    {
        var started = DateTime.UtcNow;
        var request = PayoutsHostFixture.Sample("thedex");
        var id = await host.RequestAsync(request);
        var payout = new ProviderPayout(id, PayoutProvider.TheDex, new Money(125.50m, "USDT", "Tron"),
            (string)request["destination"]!, null, null, null, started);
        var bus = host.Services.GetRequiredService<IBus>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => bus.Publish(new SubmitProviderPayout(payout))));

        await host.WaitForStatusAsync(id, "Completed");
        // Every submission has looked the payout up: the saga's own and the four copies.
        await Eventually.Until(() => Task.FromResult(TheDexCalls("/payouts")), n => n >= 5, "five look-ups at TheDex");
        Assert.Equal(1, TheDexCalls("/payouts/create"));
        await Eventually.Until(() => Task.FromResult(host.Sandbox.Ledger.Transfers.Count(t => t.ClientKey == id.ToString())), n => n >= 1, "the transfer");
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.ClientKey == id.ToString());

        int TheDexCalls(string path) => host.Sandbox.ApiCalls.Count(c =>
            c.At >= started && c.Method == "POST" && c.Path.EndsWith("/thedex/api/v1" + path, StringComparison.Ordinal));
    }
}
