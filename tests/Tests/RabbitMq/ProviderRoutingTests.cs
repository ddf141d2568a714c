using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;
using Payouts.Bus.Providers;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// The host on RabbitMQ + PostgreSQL with two routing rules for USDT on Tron (from 1,000: the lowest
/// quoted fee of TheDex and Calypso; below: TheDex, then Calypso) and a TheDex account holding 100 USDT,
/// so that a larger payout is refused there for its balance.
/// </summary>
public sealed class RoutingHostFixture : RabbitMqHostFixture
{
    protected override async Task<IReadOnlyDictionary<string, string>> PrepareAsync() =>
        new Dictionary<string, string>(await base.PrepareAsync())
        {
            // From 1,000 USDT the cheaper provider by its quoted fee (sandbox: TheDex 0.5 % + 1 USDT, Calypso 0.5 %).
            ["Routing:Rules:0:Currency"] = "USDT",
            ["Routing:Rules:0:Network"] = "Tron",
            ["Routing:Rules:0:MinAmount"] = "1000",
            ["Routing:Rules:0:PreferLowestFee"] = "true",
            ["Routing:Rules:0:Providers:0"] = "TheDex",
            ["Routing:Rules:0:Providers:1"] = "Calypso",
            ["Routing:Rules:1:Currency"] = "USDT",
            ["Routing:Rules:1:Network"] = "Tron",
            ["Routing:Rules:1:Providers:0"] = "TheDex",
            ["Routing:Rules:1:Providers:1"] = "Calypso",
            ["Sandbox:TheDexBalances:USDT_TRON"] = "100",
            // A create whose answer is lost is given up on in 2 s, not the default 30.
            ["Providers:RequestTimeout"] = "00:00:02",
        };

    /// <summary>A payout that names no provider: the sandbox's Tron address, this amount of USDT.</summary>
    public static JsonObject Unrouted(string amount)
    {
        var payout = Sample("thedex");
        payout.Remove("provider");
        payout["amount"] = amount;
        return payout;
    }

    /// <summary>The one transfer the provider's ledger holds for a payout (its client key is the payout id).</summary>
    public Sandbox.SandboxTransfer PaidOnce(Guid payoutId) => Assert.Single(Sandbox.Ledger.Transfers, t => t.ClientKey == payoutId.ToString());
}

/// <summary>Payouts that name no provider: routed by rule, failed over when refused before anything was created, never after.</summary>
public sealed class ProviderRoutingTests(RoutingHostFixture host) : IClassFixture<RoutingHostFixture>
{
    [Fact]
    public async Task Payout_without_a_provider_goes_to_the_first_of_its_rule_and_its_history_says_why()
    {
        var id = await host.RequestAsync(RoutingHostFixture.Unrouted("25"));

        var payout = await host.WaitForStatusAsync(id, "Completed");

        Assert.Equal("TheDex", (string?)payout["provider"]);
        Assert.Equal("TheDex", host.PaidOnce(id).Provider);
        var requested = payout["history"]!.AsArray().Single(h => (string?)h!["event"] == "RequestPayout")!;
        Assert.Contains("rule 2", (string?)requested["reason"]);
    }

    [Fact]
    public async Task Rule_that_prefers_the_lowest_fee_chooses_the_provider_that_quoted_less()
    {
        var fees = host.Services.GetRequiredService<IProviderFees>();
        await Eventually.Until(() => Task.FromResult(fees.Latest(PayoutProvider.TheDex, "USDT", "Tron") is not null && fees.Latest(PayoutProvider.Calypso, "USDT", "Tron") is not null),
            quoted => quoted, "both providers' fee quotes");

        var id = await host.RequestAsync(RoutingHostFixture.Unrouted("2000"));
        var payout = await host.WaitForStatusAsync(id, "Completed");

        Assert.Equal("Calypso", (string?)payout["provider"]);
        Assert.Equal("Calypso", host.PaidOnce(id).Provider);
        var requested = (string?)payout["history"]!.AsArray().Single(h => (string?)h!["event"] == "RequestPayout")!["reason"];
        Assert.Contains("lowest quoted fee first (Calypso 5", requested);
    }

    [Fact]
    public async Task Balance_refusal_sends_the_payout_to_the_next_provider_which_pays_it_once()
    {
        var id = await host.RequestAsync(RoutingHostFixture.Unrouted("500"));

        var payout = await host.WaitForStatusAsync(id, "Completed");

        Assert.Equal("Calypso", (string?)payout["provider"]);
        Assert.Equal("Calypso", host.PaidOnce(id).Provider);
        var failover = payout["history"]!.AsArray().Single(h => (string?)h!["event"] == "FailedOver")!;
        Assert.Contains("insufficient_balance", (string?)failover["reason"]);
    }

    [Fact]
    public async Task Create_whose_answer_was_lost_is_looked_up_at_its_provider_and_never_sent_elsewhere()
    {
        host.Sandbox.Faults.UnknownOutcomeRate = 1;
        Guid id;
        try
        {
            id = await host.RequestAsync(RoutingHostFixture.Unrouted("30"));
            await Eventually.Until(() => host.GetPayoutAsync(id), p => (string?)p["status"] != "Requested", $"payout {id} to be taken by a provider");
        }
        finally
        {
            host.Sandbox.Faults.UnknownOutcomeRate = 0;
        }

        var payout = await host.WaitForStatusAsync(id, "Completed");

        Assert.Equal("TheDex", (string?)payout["provider"]);
        Assert.Equal("TheDex", host.PaidOnce(id).Provider);
        Assert.DoesNotContain(payout["history"]!.AsArray(), h => (string?)h!["event"] == "FailedOver");
    }

    [Fact]
    public async Task Payout_that_names_its_provider_is_never_sent_to_another()
    {
        var named = RoutingHostFixture.Unrouted("500");
        named["provider"] = "TheDex";

        var payout = await host.WaitForStatusAsync(await host.RequestAsync(named), "Failed");

        Assert.Equal("insufficient_balance", (string?)payout["failure"]!["code"]);
        Assert.DoesNotContain(payout["history"]!.AsArray(), h => (string?)h!["event"] == "FailedOver");
    }

    [Fact]
    public async Task Payout_no_provider_here_can_pay_is_refused_naming_provider()
    {
        var payout = RoutingHostFixture.Unrouted("25");
        payout["currency"] = "DOGE";

        var (status, body) = await host.PostAsync("/payouts", payout);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        Assert.Contains("no provider here can pay", (string?)body["errors"]!["provider"]![0]);
    }
}

/// <summary>A host of its own: opening TheDex's circuit would stop the other routing tests' TheDex payouts.</summary>
public sealed class OpenCircuitRoutingTests(RoutingHostFixture host) : IClassFixture<RoutingHostFixture>
{
    [Fact]
    public async Task Provider_whose_circuit_is_open_is_passed_over_for_the_next()
    {
        // TheDex answers 503 to every call until its circuit opens (look-ups are safe to make).
        var health = host.Services.GetRequiredService<IProviderHealth>();
        var theDex = host.Services.GetRequiredService<PayoutProviders>().Client(PayoutProvider.TheDex);
        var probe = new ProviderPayout(Guid.NewGuid(), PayoutProvider.TheDex, new Money(1, "USDT", "Tron"), "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy",
            null, null, null, DateTime.UtcNow);
        host.Sandbox.Faults.ErrorRate = 1;
        try
        {
            await Eventually.Until(async () =>
            {
                try
                {
                    await theDex.GetAsync(probe, CancellationToken.None);
                }
                catch (ProviderException)
                {
                }
                return health.IsAvailable(PayoutProvider.TheDex);
            }, available => !available, "TheDex's circuit to open");
        }
        finally
        {
            host.Sandbox.Faults.ErrorRate = 0;
        }

        var id = await host.RequestAsync(RoutingHostFixture.Unrouted("25"));
        var payout = await host.WaitForStatusAsync(id, "Completed");

        Assert.Equal("Calypso", (string?)payout["provider"]);
        Assert.Equal("Calypso", host.PaidOnce(id).Provider);
        Assert.Contains("TheDex (circuit open, last)",
            (string?)payout["history"]!.AsArray().Single(h => (string?)h!["event"] == "RequestPayout")!["reason"]);
    }
}
