using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Persistence;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Providers;
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
        Assert.Equal(System.Net.HttpStatusCode.Accepted, await host.ConfirmAsShownAsync(payoutId, awaiting));
        var completed = await host.WaitForStatusAsync(payoutId, "Completed");
        var transfer = Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == reference);
        Assert.Equal(transfer.TxHash, (string?)completed["txHash"]);
    }

    [Fact]
    public async Task Signed_dfns_webhook_saying_completed_for_an_unconfirmed_payout_is_confirmed_with_dfns_and_ends_nothing()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await host.WaitForStatusAsync(payoutId, "AwaitingConfirmation");
        var eventId = $"wh-{Guid.NewGuid():N}";
        var reference = (string)awaiting["providerReference"]!;
        var body = new JsonObject
        {
            ["id"] = eventId, ["kind"] = "payout.action.required", ["date"] = DateTime.UtcNow.ToString("O"),
            ["timestampSent"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["deliveryAttempt"] = 1,
            ["data"] = new JsonObject
            {
                ["payout"] = new JsonObject
                {
                    ["id"] = reference, ["walletId"] = "wa-5pfuu-9euek-h0odgb6snva8ph3k",
                    ["asset"] = new JsonObject { ["kind"] = "Erc20", ["amount"] = "1000000000", ["contract"] = "0x3c499c542cef5e3811e1192ce70d8cc03d5c3359" },
                    ["externalId"] = payoutId.ToString(), ["status"] = "Completed",
                    ["data"] = new JsonObject { ["executionStatus"] = "Completed" },
                },
            },
        }.ToJsonString();

        using var outcomes = new WebhookOutcomes(host.Services);

        using var response = await host.Http.SendAsync(SignedWebhook.Request("dfns", body));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        // The webhook skips the confirmation the payout waits for: refused by name, and counted.
        Assert.Contains("skipped_step", outcomes.All);
        // Dfns was asked before the webhook was acknowledged, and its answer is what the saga consumes.
        Assert.Contains(host.Sandbox.ApiCalls, c => c.Method == "GET" && c.Path.EndsWith(reference, StringComparison.Ordinal));
        var messageId = new WebhookResult(200, "", null, "", eventId).MessageId(PayoutProvider.Dfns, System.Text.Encoding.UTF8.GetBytes(body));
        await Eventually.Until(async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
            return await db.Set<InboxState>().AsNoTracking().AnyAsync(r => r.MessageId == messageId && r.Consumed != null);
        }, consumed => consumed, "the saga to consume the webhook");
        var payout = await host.GetPayoutAsync(payoutId);
        Assert.Equal("AwaitingConfirmation", (string)payout["status"]!);
        Assert.Null((string?)payout["txHash"]);
    }

    [Fact]
    public async Task Forged_failed_update_does_not_fail_a_payout_the_provider_goes_on_to_pay()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await host.WaitForStatusAsync(payoutId, "AwaitingConfirmation");
        var bus = host.Services.GetRequiredService<IBus>();

        await bus.Publish(new ProviderPayoutUpdated(payoutId,
            new ProviderPayoutUpdate((string?)awaiting["providerReference"], ProviderPayoutStatus.Failed, "Failed", Message: "forged"), "dfns webhook forged"));

        var payout = await Eventually.Until(() => host.GetPayoutAsync(payoutId),
            p => p["history"]!.AsArray().Any(e => ((string)e!["reason"]!).Contains("not from a check we asked for", StringComparison.Ordinal)),
            "the forged update to be recorded");
        Assert.Equal("AwaitingConfirmation", (string)payout["status"]!);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, await host.ConfirmAsShownAsync(payoutId, awaiting));
        await host.WaitForStatusAsync(payoutId, "Completed");
    }
}
