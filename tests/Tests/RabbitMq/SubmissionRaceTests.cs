using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// Submissions of one payout that race each other (the resubmission timer and a message resent
/// after a crash, say): only one may run at a time, or both find nothing and both create it. The
/// first creates without a look-up; every later one looks the payout up before it could create.
/// TheDex has no idempotency key to save us.
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
        // Five attempts: the first created it, the four after it looked it up and found it.
        await Eventually.Until(() => Task.FromResult(TheDexCalls("/payouts")), n => n >= 4, "four look-ups at TheDex");
        Assert.Equal(1, TheDexCalls("/payouts/create"));
        await Eventually.Until(() => Task.FromResult(host.Sandbox.Ledger.Transfers.Count(t => t.ClientKey == id.ToString())), n => n >= 1, "the transfer");
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.ClientKey == id.ToString());

        int TheDexCalls(string path) => host.Sandbox.ApiCalls.Count(c =>
            c.At >= started && c.Method == "POST" && c.Path.EndsWith("/thedex/api/v1" + path, StringComparison.Ordinal));
    }
}
