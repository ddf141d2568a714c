using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>
/// A final status ends a payout only as the provider's answer to a check the saga asked for: a
/// message on the bus that claims it, or one webhook, is checked with the provider first.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ProviderNewsTrustTests(PayoutsHostFixture host)
{
    [Fact]
    public async Task Forged_completed_update_on_the_bus_does_not_complete_an_unconfirmed_payout()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await host.WaitForStatusAsync(payoutId, "AwaitingConfirmation");
        var reference = (string)awaiting["providerReference"]!;
        var bus = host.Services.GetRequiredService<IBus>();

        await bus.Publish(new ProviderPayoutUpdated(payoutId,
            new ProviderPayoutUpdate(reference, ProviderPayoutStatus.Completed, "Completed", TxHash: "0xforged"), "status poll"));

        // Once the forged update's transition is recorded, it has committed: it did not end the payout.
        var payout = await Eventually.Until(() => host.GetPayoutAsync(payoutId),
            p => p["history"]!.AsArray().Any(e => ((string)e!["reason"]!).Contains("not from a check we asked for", StringComparison.Ordinal)),
            "the forged update to be recorded");
        Assert.Equal("AwaitingConfirmation", (string)payout["status"]!);
        await Eventually.Until(() => Task.FromResult(host.Sandbox.ApiCalls.Count(c => c.Method == "GET" && c.Path.EndsWith(reference, StringComparison.Ordinal))),
            calls => calls >= 1, "the provider to be asked");

        // The payout goes on as the provider sees it: confirmed by a person, then paid, with the provider's tx hash.
        var confirmation = awaiting["confirmation"]!;
        var (status, _) = await host.PostAsync($"/payouts/{payoutId}/confirm", new JsonObject
        {
            ["depositAddress"] = (string)confirmation["depositAddress"]!,
            ["amount"] = (string)confirmation["amount"]!,
        });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, status);
        var completed = await host.WaitForStatusAsync(payoutId, "Completed");
        var transfer = Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == reference);
        Assert.Equal(transfer.TxHash, (string?)completed["txHash"]);
    }

    [Fact]
    public async Task Failed_update_for_a_payout_the_provider_completes_ends_it_completed()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        var submitted = await host.WaitForStatusAsync(payoutId, "Submitted");
        var bus = host.Services.GetRequiredService<IBus>();

        await bus.Publish(new ProviderPayoutUpdated(payoutId,
            new ProviderPayoutUpdate((string?)submitted["providerReference"], ProviderPayoutStatus.Failed, "2", Message: "forged"), "thedex callback forged"));

        var payout = await host.WaitForStatusAsync(payoutId, "Completed");
        Assert.Contains(payout["history"]!.AsArray(), e => ((string)e!["reason"]!).Contains("not from a check we asked for", StringComparison.Ordinal));
    }
}
