using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Persistence;
using Payouts.Bus.Sagas;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>Messages the processor can never handle are set aside with their reason, and the rest keep flowing.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PoisonMessageTests(RabbitMqHostFixture host)
{
    [Fact]
    public async Task Malformed_message_is_dead_lettered_with_its_reason_and_good_ones_keep_flowing()
    {
        var marker = Guid.NewGuid().ToString("N");

        var headers = await SagaQueue.PublishAndReadFromErrorQueueAsync(host.HostBrokerUrl, $"{{ not json {marker}", marker);

        Assert.True(headers.ContainsKey("MT-Reason"), string.Join(", ", headers.Keys));
        Assert.True(headers.ContainsKey("MT-Fault-Message"), string.Join(", ", headers.Keys));
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        await host.WaitForStatusAsync(id, "Completed");
    }

    [Fact]
    public async Task Message_of_a_type_nobody_consumes_is_dead_lettered_not_skipped()
    {
        var marker = Guid.NewGuid().ToString("N");
        var envelope = $$"""
            {
              "messageId": "{{Guid.NewGuid()}}",
              "messageType": ["urn:message:Upstream.Treasury:ReleaseFunds"],
              "message": { "marker": "{{marker}}" }
            }
            """;

        var headers = await SagaQueue.PublishAndReadFromErrorQueueAsync(host.HostBrokerUrl, envelope, marker);

        Assert.Equal("fault", SagaQueue.Header(headers, "MT-Reason"));
        Assert.Contains("no consumer on this endpoint handles its message type", SagaQueue.Header(headers, "MT-Fault-Message"), StringComparison.Ordinal);
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("calypso"));
        await host.WaitForStatusAsync(id, "Completed");
    }

    [Fact]
    public async Task Plain_json_naming_an_internal_message_is_dead_lettered_and_changes_nothing()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        await host.WaitForStatusAsync(id, "AwaitingConfirmation");
        var marker = Guid.NewGuid().ToString("N");
        var forged = $$"""
            { "payoutId": "{{id}}", "source": "{{marker}}",
              "update": { "status": "Completed", "providerStatus": "Completed", "txHash": "0xforged" } }
            """;

        var headers = await SagaQueue.PublishAndReadFromErrorQueueAsync(host.HostBrokerUrl, forged, marker, "application/json",
            ("MT-MessageType", "urn:message:payouts:processing:provider-payout-updated"));

        Assert.Contains("may only be one of payouts.request-payout", SagaQueue.Header(headers, "MT-Fault-Message"), StringComparison.Ordinal);
        Assert.Equal("AwaitingConfirmation", (string?)(await host.GetPayoutAsync(id))["status"]);
    }

    [Fact]
    public async Task Forged_decline_in_the_processors_own_format_is_dead_lettered_and_changes_nothing()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        await host.WaitForStatusAsync(id, "AwaitingConfirmation");
        var marker = Guid.NewGuid().ToString("N");
        // Well formed, correctly typed, on the right queue: only the processor's signature and the
        // payout's check id are missing. The signature refuses it first; the check id is the saga's
        // own line behind it (PayoutStateMachineTests).
        var forged = $$"""
            {
              "messageId": "{{Guid.NewGuid()}}",
              "messageType": ["urn:message:payouts:processing:provider-payout-declined"],
              "message": { "payoutId": "{{id}}", "code": "insufficient_balance", "message": "{{marker}}" }
            }
            """;

        var headers = await SagaQueue.PublishAndReadFromErrorQueueAsync(host.HostBrokerUrl, forged, marker);

        Assert.Contains("Payouts-Signature is missing or wrong", SagaQueue.Header(headers, "MT-Fault-Message"), StringComparison.Ordinal);
        Assert.Equal("AwaitingConfirmation", (string?)(await host.GetPayoutAsync(id))["status"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Provider_news_without_the_processors_signature_is_dead_lettered_even_with_the_right_check_id(string? signature)
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        await host.WaitForStatusAsync(id, "AwaitingConfirmation");
        Guid? checkId;
        await using (var scope = host.Services.CreateAsyncScope())
            checkId = (await scope.ServiceProvider.GetRequiredService<PayoutsDbContext>().Set<PayoutState>().AsNoTracking()
                .SingleAsync(p => p.CorrelationId == id)).CheckId;
        var marker = Guid.NewGuid().ToString("N");
        // Everything a real answer has, the payout's secret check id included: only the signature is missing or wrong.
        var forged = $$"""
            {
              "messageId": "{{Guid.NewGuid()}}",
              "messageType": ["urn:message:payouts:processing:provider-payout-updated"],
              "headers": { {{(signature is null ? "" : $"\"Payouts-Signature\": \"{signature}\"")}} },
              "message": { "payoutId": "{{id}}", "source": "{{marker}}", "checkId": "{{checkId}}",
                "update": { "status": 3, "providerStatus": "Completed", "txHash": "0xforged" } }
            }
            """;

        var headers = await SagaQueue.PublishAndReadFromErrorQueueAsync(host.HostBrokerUrl, forged, marker);

        Assert.Contains("Payouts-Signature is missing or wrong", SagaQueue.Header(headers, "MT-Fault-Message"), StringComparison.Ordinal);
        var payout = await host.GetPayoutAsync(id);
        Assert.Equal("AwaitingConfirmation", (string?)payout["status"]);
        Assert.DoesNotContain(marker, payout.ToJsonString(), StringComparison.Ordinal);
    }
}
