using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Persistence;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Providers;
using Payouts.Bus.Sandbox;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>
/// <c>POST /webhooks/{provider}</c> against the real host: signatures recomputed here, independently of
/// the production code, and deliveries tampered with, replayed, made stale or repeated.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class WebhookIngestionTests(PayoutsHostFixture host)
{
    private static readonly SandboxOptions Secrets = new();

    [Theory]
    [InlineData("thedex")]
    [InlineData("calypso")]
    [InlineData("oxapay")]
    [InlineData("dfns")]
    public async Task Webhook_changed_after_signing_is_refused(string provider)
    {
        var body = provider == "dfns" ? DfnsEvent("wh-tampered", DateTimeOffset.UtcNow, null) : $"{{\"description\":\"{Guid.NewGuid()}\",\"status\":1}}";
        using var request = SignedWebhook.Request(provider, body);
        request.Content = new StringContent(body.Replace("1", "2", StringComparison.Ordinal), Encoding.UTF8, "application/json");

        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Dfns_webhook_sent_more_than_five_minutes_ago_is_refused()
    {
        using var stale = SignedWebhook.Request("dfns", DfnsEvent("wh-stale", DateTimeOffset.UtcNow.AddMinutes(-6), null));
        using var fresh = SignedWebhook.Request("dfns", DfnsEvent("wh-fresh", DateTimeOffset.UtcNow.AddMinutes(-4), null));

        using var refused = await host.Http.SendAsync(stale);
        using var accepted = await host.Http.SendAsync(fresh);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("timestampSent", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Webhook_delivered_twice_reaches_the_saga_once()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        var payout = await host.WaitForStatusAsync(payoutId, "Completed");
        var reference = (string)payout["providerReference"]!;
        // A late "2 Rejected" for a completed payout: the saga records it once per message it consumes.
        var body = new JsonObject
        {
            ["id"] = reference, ["status"] = 2, ["statusName"] = "Rejected", ["payCurrency"] = "USDT_TRON",
            ["address"] = (string)payout["destination"]!, ["description"] = payoutId.ToString(),
        }.ToJsonString();

        for (var i = 0; i < 2; i++)
        {
            using var response = await host.Http.SendAsync(SignedWebhook.Request("thedex", body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var messageId = new WebhookResult(200, "", null, "").MessageId(PayoutProvider.TheDex, Encoding.UTF8.GetBytes(body));
        await Eventually.Until(() => Inbox(messageId), rows => rows.Sum(r => r.ReceiveCount) >= 2 && rows.All(r => r.Consumed is not null),
            "both deliveries to reach the saga's inbox");
        var late = (await host.GetPayoutAsync(payoutId))["history"]!.AsArray()
            .Where(e => ((string)e!["reason"]!).Contains($"thedex callback {reference}/2", StringComparison.Ordinal)).ToList();
        Assert.Single(late);
        Assert.Equal("Completed", (string)(await host.GetPayoutAsync(payoutId))["status"]!);
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == reference);
    }

    [Fact]
    public async Task Webhook_that_tells_nothing_new_is_acknowledged_and_stored_nowhere()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        var payout = await host.WaitForStatusAsync(payoutId, "Completed");
        var reference = (string)payout["providerReference"]!;
        // The status the payout ended with, in a body of its own (so a message id of its own): a provider resending what it said.
        var body = new JsonObject
        {
            ["id"] = reference, ["status"] = 1, ["statusName"] = "Successful", ["payCurrency"] = "USDT_TRON",
            ["address"] = (string)payout["destination"]!, ["description"] = payoutId.ToString(), ["resent"] = true,
        }.ToJsonString();

        using var response = await host.Http.SendAsync(SignedWebhook.Request("thedex", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertStoredNowhereAsync(body);
    }

    [Fact]
    public async Task Step_before_the_end_arriving_after_the_payout_was_paid_is_acknowledged_and_stored_nowhere()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        var payout = await host.WaitForStatusAsync(payoutId, "Completed");
        var body = TheDexWebhook(payoutId, payout, 3, "Processing");

        using var response = await host.Http.SendAsync(SignedWebhook.Request("thedex", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await AssertStoredNowhereAsync(body);
    }

    [Fact]
    public async Task Step_before_the_end_arriving_after_the_payout_failed_still_reaches_the_saga()
    {
        var request = PayoutsHostFixture.Sample("thedex");
        request["destination"] = PayoutsHostFixture.FailingAddress;
        var payoutId = await host.RequestAsync(request);
        var payout = await host.WaitForStatusAsync(payoutId, "Failed");
        var body = TheDexWebhook(payoutId, payout, 3, "Processing");

        using var response = await host.Http.SendAsync(SignedWebhook.Request("thedex", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reference = (string)payout["providerReference"]!;
        await Eventually.Until(() => host.GetPayoutAsync(payoutId),
            failed => failed["history"]!.AsArray().Any(e => ((string)e!["reason"]!).Contains($"thedex callback {reference}/3", StringComparison.Ordinal)),
            "the late step to be recorded on the failed payout");
    }

    /// <summary>Stored before the answer, if at all: nothing for the TheDex webhook's message id in the outbox or the inbox.</summary>
    private async Task AssertStoredNowhereAsync(string body)
    {
        var messageId = new WebhookResult(200, "", null, "").MessageId(PayoutProvider.TheDex, Encoding.UTF8.GetBytes(body));
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        Assert.False(await db.Set<OutboxMessage>().AnyAsync(m => m.MessageId == messageId));
        Assert.Empty(await Inbox(messageId));
    }

    private static string TheDexWebhook(Guid payoutId, JsonNode payout, int status, string statusName) => new JsonObject
    {
        ["id"] = (string)payout["providerReference"]!, ["status"] = status, ["statusName"] = statusName, ["payCurrency"] = "USDT_TRON",
        ["address"] = (string)payout["destination"]!, ["description"] = payoutId.ToString(), ["late"] = true,
    }.ToJsonString();

    [Fact]
    public async Task Signed_dfns_webhook_missing_the_payout_asset_is_malformed_not_a_crash()
    {
        var body = JsonNode.Parse(DfnsEvent("wh-no-asset", DateTimeOffset.UtcNow, null))!;
        body["data"]!["payout"]!.AsObject().Remove("asset");

        using var response = await host.Http.SendAsync(SignedWebhook.Request("dfns", body.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Final_webhook_that_overtakes_the_create_answer_is_handed_on_without_searching_the_provider_history()
    {
        var payout = await RequestedWithoutProviderIdAsync();
        var payoutId = payout.CorrelationId;
        var body = new JsonObject
        {
            ["id"] = $"dex-{payoutId:N}", ["status"] = 1, ["statusName"] = "Successful", ["payCurrency"] = "USDT_TRON",
            ["address"] = payout.Destination, ["description"] = payoutId.ToString(),
        }.ToJsonString();
        var sent = DateTime.UtcNow;

        using var response = await host.Http.SendAsync(SignedWebhook.Request("thedex", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Recorded, not believed: the saga asks TheDex by its id once the create's answer arrives.
        var recorded = await Eventually.Until(() => host.GetPayoutAsync(payoutId),
            p => p["history"]!.AsArray().Any(h => (string?)h!["event"] == "ProviderUpdated"), "the saga to record the webhook");
        Assert.Equal("Requested", (string)recorded["status"]!);
        // TheDex's history has no paging: searched for one payout, it answers every payout of the window.
        Assert.DoesNotContain(host.Sandbox.ApiCalls, c => c.Path == "/thedex/api/v1/payouts" && c.At >= sent);
    }

    [Fact]
    public async Task Signed_webhook_naming_another_payouts_provider_id_does_not_end_a_payout_awaiting_its_create_answer()
    {
        var other = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        var otherReference = (string)(await host.WaitForStatusAsync(other, "Completed"))["providerReference"]!;
        var payout = await RequestedWithoutProviderIdAsync();
        // Ours by its description, with the TheDex id of a payout TheDex did pay: asked by that id, TheDex answers about the other one.
        var body = new JsonObject
        {
            ["id"] = otherReference, ["status"] = 1, ["statusName"] = "Successful", ["payCurrency"] = "USDT_TRON",
            ["address"] = payout.Destination, ["description"] = payout.CorrelationId.ToString(),
        }.ToJsonString();
        var sent = DateTime.UtcNow;

        using var response = await host.Http.SendAsync(SignedWebhook.Request("thedex", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(host.Sandbox.ApiCalls, c => c.Path == "/thedex/api/v1/payouts/one" && c.At >= sent);
        var recorded = await Eventually.Until(() => host.GetPayoutAsync(payout.CorrelationId),
            p => p["history"]!.AsArray().Any(h => (string?)h!["event"] == "ProviderUpdated"), "the saga to record the webhook");
        Assert.Equal("Requested", (string)recorded["status"]!);
    }

    /// <summary>A payout whose create TheDex may have made but whose answer has not reached the saga: no TheDex id yet.</summary>
    private async Task<Bus.Sagas.PayoutState> RequestedWithoutProviderIdAsync()
    {
        var payoutId = Guid.NewGuid();
        var payout = new Bus.Sagas.PayoutState { CorrelationId = payoutId, CurrentState = "Requested" };
        payout.Open(new RequestPayout(payoutId, $"overtaken-{payoutId:N}", PayoutProvider.TheDex, new Money(10m, "USDT", "Tron"),
            "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy"), DateTime.UtcNow);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        db.Payouts.Add(payout);
        await db.SaveChangesAsync();
        return payout;
    }

    [Fact]
    public async Task Signed_webhook_for_a_payout_that_does_not_exist_here_is_acknowledged_and_goes_nowhere()
    {
        using var outcomes = new WebhookOutcomes(host.Services);
        var stranger = Guid.NewGuid();
        var body = new JsonObject { ["id"] = "someone-else", ["status"] = 1, ["statusName"] = "Successful", ["description"] = stranger.ToString() }.ToJsonString();

        using var response = await host.Http.SendAsync(SignedWebhook.Request("thedex", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["ignored"], outcomes.All);
        var messageId = new WebhookResult(200, "", null, "").MessageId(PayoutProvider.TheDex, Encoding.UTF8.GetBytes(body));
        await using var scope = host.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PayoutsDbContext>().Set<OutboxMessage>().AnyAsync(m => m.MessageId == messageId),
            "nothing was stored for the saga");
    }

    [Fact]
    public void Dfns_retry_of_an_event_is_the_same_message_and_another_event_is_not()
    {
        var clock = TimeProvider.System;
        var webhook = new Bus.Providers.Dfns.DfnsWebhook(Microsoft.Extensions.Options.Options.Create(new Bus.Providers.Dfns.DfnsOptions { WebhookSecret = Secrets.DfnsWebhookSecret }), clock);
        var payoutId = Guid.NewGuid();
        var first = Encoding.UTF8.GetBytes(DfnsEvent("wh-first", DateTimeOffset.UtcNow, null, payoutId));
        var retry = Encoding.UTF8.GetBytes(DfnsEvent("wh-second", DateTimeOffset.UtcNow, "wh-first", payoutId));
        var other = Encoding.UTF8.GetBytes(DfnsEvent("wh-other", DateTimeOffset.UtcNow, null, payoutId));

        Guid Id(byte[] body)
        {
            var result = webhook.Handle(name => name == "X-DFNS-WEBHOOK-SIGNATURE" ? "sha256=" + Hex(HMACSHA256.HashData(Key(Secrets.DfnsWebhookSecret), body)) : null, body);
            Assert.NotNull(result.Update);
            return result.MessageId(PayoutProvider.Dfns, body);
        }

        Assert.Equal(Id(first), Id(retry));
        Assert.NotEqual(Id(first), Id(other));
    }

    private async Task<List<InboxState>> Inbox(Guid messageId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        return await db.Set<InboxState>().AsNoTracking().Where(r => r.MessageId == messageId).ToListAsync();
    }

    private static string DfnsEvent(string id, DateTimeOffset sent, string? retryOf, Guid? payoutId = null) => new JsonObject
    {
        ["id"] = id, ["kind"] = "payout.action.required", ["date"] = sent.UtcDateTime.ToString("O"),
        ["timestampSent"] = sent.ToUnixTimeSeconds(), ["deliveryAttempt"] = retryOf is null ? 1 : 2, ["retryOf"] = retryOf,
        ["data"] = new JsonObject
        {
            ["payout"] = new JsonObject
            {
                ["id"] = "pyt-aaaaa-bbbbb-cccccccccccccccc", ["walletId"] = "wa-5pfuu-9euek-h0odgb6snva8ph3k",
                ["asset"] = new JsonObject { ["kind"] = "Erc20", ["amount"] = "1000000000", ["contract"] = "0x3c499c542cef5e3811e1192ce70d8cc03d5c3359" },
                ["externalId"] = (payoutId ?? Guid.NewGuid()).ToString(), ["status"] = "Processing",
                ["data"] = new JsonObject { ["executionStatus"] = "AwaitingPayoutConfirmation", ["depositAddress"] = "0x" + new string('1', 40) },
            },
        },
    }.ToJsonString();


    private static byte[] Key(string secret) => Encoding.UTF8.GetBytes(secret);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
