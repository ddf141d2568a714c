using System.Net;
using System.Text.Json.Nodes;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>
/// Each provider's sample payout, through the HTTP gateway, the bus, the saga and the sandbox, to
/// its end; run on the embedded default, on RabbitMQ + PostgreSQL, and there again with the sandbox's
/// faults switched on, by the classes below.
/// </summary>
public abstract class PayoutLifecycleEndToEndTests(PayoutsHostFixture host)
{
    [Theory]
    [InlineData("thedex")]
    [InlineData("calypso")]
    [InlineData("oxapay")]
    public async Task Sample_payout_completes_with_exactly_one_transfer(string provider)
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample(provider));

        var payout = await host.WaitForStatusAsync(id, "Completed");

        var reference = (string)payout["providerReference"]!;
        // Paid once: one transfer for this payout, under whatever reference, and it is the reported one.
        var transfer = Assert.Single(host.Sandbox.Ledger.Transfers, t => t.ClientKey == id.ToString());
        Assert.Equal(reference, transfer.Reference);
        Assert.Equal((string)payout["txHash"]!, transfer.TxHash);
        Assert.Equal(decimal.Parse((string)payout["amount"]!, System.Globalization.CultureInfo.InvariantCulture), transfer.Amount);
    }

    [Fact]
    public async Task Dfns_sample_completes_after_confirming_the_deposit_address_and_amount()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));

        var awaiting = await host.WaitForStatusAsync(id, "AwaitingConfirmation");
        var confirmation = awaiting["confirmation"]!;
        Assert.DoesNotContain(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)awaiting["providerReference"]!);

        var (status, _) = await host.PostAsync($"/payouts/{id}/confirm", new JsonObject
        {
            ["depositAddress"] = (string)confirmation["depositAddress"]!,
            ["amount"] = (string)confirmation["amount"]!,
        });
        Assert.Equal(HttpStatusCode.Accepted, status);

        var payout = await host.WaitForStatusAsync(id, "Completed");
        var transfer = Assert.Single(host.Sandbox.Ledger.Transfers, t => t.ClientKey == id.ToString());
        Assert.Equal(((string)payout["providerReference"]!, 1000m), (transfer.Reference, transfer.Amount));
        Assert.Equal(["Requested", "Submitted", "AwaitingConfirmation", "Confirming", "Completed"],
            payout["history"]!.AsArray().Select(h => (string)h!["state"]!).Distinct());
    }

    [Fact]
    public async Task Confirmation_that_does_not_match_is_refused_and_nothing_is_paid()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await host.WaitForStatusAsync(id, "AwaitingConfirmation");

        var (status, problem) = await host.PostAsync($"/payouts/{id}/confirm", new JsonObject
        {
            ["depositAddress"] = (string)awaiting["confirmation"]!["depositAddress"]!,
            ["amount"] = "999.99",
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("amount 999.99", (string)problem["detail"]!);
        Assert.Equal("AwaitingConfirmation", (string)(await host.GetPayoutAsync(id))["status"]!);
        Assert.DoesNotContain(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)awaiting["providerReference"]!);
    }

    [Fact]
    public async Task Dfns_payout_canceled_while_awaiting_confirmation_ends_canceled_and_unpaid()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await host.WaitForStatusAsync(id, "AwaitingConfirmation");

        var (status, _) = await host.PostAsync($"/payouts/{id}/cancel", new JsonObject { ["reason"] = "wrong bank account" });
        Assert.Equal(HttpStatusCode.Accepted, status);

        await host.WaitForStatusAsync(id, "Canceled");
        Assert.DoesNotContain(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)awaiting["providerReference"]!);
        var (again, _) = await host.PostAsync($"/payouts/{id}/confirm", new JsonObject
        {
            ["depositAddress"] = (string)awaiting["confirmation"]!["depositAddress"]!,
            ["amount"] = (string)awaiting["confirmation"]!["amount"]!,
        });
        Assert.Equal(HttpStatusCode.Conflict, again);
    }

    [Theory]
    [InlineData("thedex")]
    [InlineData("calypso")]
    [InlineData("oxapay")]
    public async Task Payout_the_provider_fails_ends_failed_with_the_reason_and_no_transfer(string provider)
    {
        var request = PayoutsHostFixture.Sample(provider);
        request["destination"] = provider == "oxapay" ? PayoutsHostFixture.FailingBitcoinAddress : PayoutsHostFixture.FailingAddress;

        var id = await host.RequestAsync(request);

        var payout = await host.WaitForStatusAsync(id, "Failed");
        Assert.Equal("provider_failed", (string)payout["failure"]!["code"]!);
        Assert.DoesNotContain(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
    }

    [Fact]
    public async Task Dfns_payout_rejected_after_confirmation_ends_failed_and_unpaid()
    {
        var request = PayoutsHostFixture.Sample("dfns");
        request["destination"] = PayoutsHostFixture.FailingPaymentInstructions;
        var id = await host.RequestAsync(request);
        var awaiting = await host.WaitForStatusAsync(id, "AwaitingConfirmation");

        var (status, _) = await host.PostAsync($"/payouts/{id}/confirm", new JsonObject
        {
            ["depositAddress"] = (string)awaiting["confirmation"]!["depositAddress"]!,
            ["amount"] = (string)awaiting["confirmation"]!["amount"]!,
        });
        Assert.Equal(HttpStatusCode.Accepted, status);

        var payout = await host.WaitForStatusAsync(id, "Failed");
        Assert.Equal("provider_failed", (string)payout["failure"]!["code"]!);
        Assert.DoesNotContain(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)awaiting["providerReference"]!);
    }

    [Fact]
    public async Task Cancel_after_submission_to_a_provider_without_confirmation_is_refused()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("oxapay"));
        await host.WaitForStatusAsync(id, "Completed");

        var (status, problem) = await host.PostAsync($"/payouts/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("Completed", (string)problem["detail"]!);
    }
}

[Collection(HostCollection.Name)]
public sealed class EmbeddedLifecycleTests(PayoutsHostFixture host) : PayoutLifecycleEndToEndTests(host);

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqLifecycleTests(RabbitMqHostFixture host) : PayoutLifecycleEndToEndTests(host);

[Collection(FaultyProvidersCollection.Name)]
public sealed class FaultyProvidersLifecycleTests(FaultyProvidersHostFixture host) : PayoutLifecycleEndToEndTests(host)
{
    [Fact]
    public async Task Dfns_payout_left_unconfirmed_expires_and_is_canceled_at_the_provider()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await host.WaitForStatusAsync(id, "AwaitingConfirmation");

        var payout = await host.WaitForStatusAsync(id, "Expired");

        var reference = (string)awaiting["providerReference"]!;
        Assert.Contains(payout["history"]!.AsArray(), e => (string?)e!["event"] == "ConfirmationExpired");
        await Eventually.Until(() => Task.FromResult(host.Sandbox.ApiCalls.Count(c => c.Path == $"/dfns/payouts/{reference}/action" && c.StatusCode == 200)),
            accepted => accepted == 1, "the cancel action to be accepted by Dfns");
        Assert.DoesNotContain(host.Sandbox.Ledger.Transfers, t => t.Reference == reference);
    }

    [Fact]
    public async Task Faults_were_really_injected()
    {
        await host.WaitForStatusAsync(await host.RequestAsync(PayoutsHostFixture.Sample("calypso")), "Completed");

        var calls = host.Sandbox.ApiCalls;
        Assert.Contains(calls, c => c.StatusCode == 503);
        Assert.Contains(calls, c => c.StatusCode is null);
        Assert.Contains(host.Sandbox.WebhookDeliveries, d => d.StatusCode == 200);
    }
}
