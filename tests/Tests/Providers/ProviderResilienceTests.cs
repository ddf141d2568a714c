using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Providers;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Providers;

/// <summary>
/// The provider clients against a sandbox that misbehaves on purpose: lost answers, 503s, an outage
/// long enough to open the circuit. Real HTTP over loopback, real signing, the host's own pipeline.
/// </summary>
public sealed class ProviderResilienceTests
{
    [Theory]
    [InlineData(PayoutProvider.Dfns)]
    [InlineData(PayoutProvider.TheDex)]
    [InlineData(PayoutProvider.Calypso)]
    [InlineData(PayoutProvider.OxaPay)]
    public async Task Create_whose_answer_was_lost_is_found_on_retry_and_paid_once(PayoutProvider provider)
    {
        await using var providers = await SandboxedProviders.StartAsync();
        var client = providers.Client(provider);
        var payout = SandboxedProviders.Payout(provider);

        providers.Options.Faults.UnknownOutcomeRate = 1;
        var firstAttempt = DateTime.UtcNow;
        await Assert.ThrowsAsync<ProviderOutcomeUnknownException>(() => client.SubmitAsync(payout, null, CancellationToken.None));
        // One create, unanswered, and not repeated by the client: only a look-up may follow it.
        Assert.Single(providers.Sandbox.ApiCalls, c => c.StatusCode is null);
        Assert.Equal(providers.Sandbox.ApiCalls.Count(c => IsCreate(c)), providers.Sandbox.ApiCalls.Count(c => c.StatusCode is null));

        providers.Options.Faults.UnknownOutcomeRate = 0;
        var accepted = (await client.SubmitAsync(payout, firstAttempt, CancellationToken.None)).Accepted;
        Assert.NotNull(accepted);
        var submitted = payout with { ProviderReference = accepted.Reference };

        if (provider == PayoutProvider.Dfns)
        {
            var awaiting = await Eventually.Until(() => client.GetAsync(submitted, CancellationToken.None),
                u => u?.Status == ProviderPayoutStatus.AwaitingConfirmation, "Dfns to await confirmation");
            Assert.True((await client.ConfirmAsync(submitted, awaiting!.DepositAddress!, CancellationToken.None)).Succeeded);
        }
        await Eventually.Until(() => client.GetAsync(submitted, CancellationToken.None),
            u => u?.Status == ProviderPayoutStatus.Completed, $"{provider} to complete the payout");

        var transfer = Assert.Single(providers.Sandbox.Ledger.Transfers);
        Assert.Equal(accepted.Reference, transfer.Reference);
        // Without an idempotency key the second submit must find the payout, not create it again.
        if (provider is PayoutProvider.TheDex or PayoutProvider.OxaPay)
            Assert.Single(providers.Sandbox.ApiCalls, IsCreate);
    }

    [Fact]
    public async Task OxaPay_create_whose_answer_was_lost_is_found_pages_deep_in_the_history()
    {
        await using var providers = await SandboxedProviders.StartAsync(sandbox => sandbox.OxaPayHistoryPageLimit = 2);
        var client = providers.Client(PayoutProvider.OxaPay);
        var payout = SandboxedProviders.Payout(PayoutProvider.OxaPay);
        var firstAttempt = DateTime.UtcNow;
        providers.Options.Faults.UnknownOutcomeRate = 1;
        await Assert.ThrowsAsync<ProviderOutcomeUnknownException>(() => client.SubmitAsync(payout, null, CancellationToken.None));
        providers.Options.Faults.UnknownOutcomeRate = 0;
        // Five newer payouts push ours to the third page of two (newest first).
        for (var i = 0; i < 5; i++)
            Assert.NotNull((await client.SubmitAsync(SandboxedProviders.Payout(PayoutProvider.OxaPay), null, CancellationToken.None)).Accepted);

        var found = (await client.SubmitAsync(payout, firstAttempt, CancellationToken.None)).Accepted;

        Assert.NotNull(found);
        Assert.Equal(6, providers.Sandbox.ApiCalls.Count(IsCreate));
        Assert.Equal(3, providers.Sandbox.ApiCalls.Count(c => c.Method == "GET" && c.Path == "/oxapay/v1/payout"));
    }

    [Theory]
    [InlineData(PayoutProvider.TheDex)]
    [InlineData(PayoutProvider.OxaPay)]
    public async Task Keyless_create_answered_503_is_looked_up_before_it_is_sent_again(PayoutProvider provider)
    {
        await using var providers = await SandboxedProviders.StartAsync();
        var client = providers.Client(provider);
        var payout = SandboxedProviders.Payout(provider);
        var firstAttempt = DateTime.UtcNow;

        // A 503 may come from something between us and the provider after it acted.
        providers.Options.Faults.ErrorRate = 1;
        await Assert.ThrowsAsync<ProviderOutcomeUnknownException>(() => client.SubmitAsync(payout, null, CancellationToken.None));

        // Without an idempotency key, the create is not sent again blind in the call's own retries.
        Assert.Single(providers.Sandbox.ApiCalls, IsCreate);
        providers.Options.Faults.ErrorRate = 0;
        var before = providers.Sandbox.ApiCalls.Count;
        Assert.NotNull((await client.SubmitAsync(payout, firstAttempt, CancellationToken.None)).Accepted);
        // The next attempt looks the payout up before it creates it.
        var next = providers.Sandbox.ApiCalls.Skip(before).ToList();
        Assert.True(next.FindIndex(c => !IsCreate(c)) < next.FindIndex(IsCreate), "a look-up before the create");
    }

    [Fact]
    public async Task Safe_calls_are_retried_through_provider_errors_and_a_create_is_never_reached_without_them()
    {
        await using var providers = await SandboxedProviders.StartAsync();
        var client = providers.Client(PayoutProvider.TheDex);
        var payout = SandboxedProviders.Payout(PayoutProvider.TheDex);
        var submitted = payout with { ProviderReference = (await client.SubmitAsync(payout, null, CancellationToken.None)).Accepted!.Reference };

        // Every other call fails: each look-up needs at most one retry.
        providers.Options.Faults.ErrorRate = 0.5m;
        for (var i = 0; i < 4; i++)
            Assert.NotNull(await client.GetAsync(submitted, CancellationToken.None));
        Assert.Contains(providers.Sandbox.ApiCalls, c => c.Path.EndsWith("/payouts/one", StringComparison.Ordinal) && c.StatusCode == 503);

        // Dfns down: the user-action challenge is asked for three times (two retries), the create never sent.
        providers.Options.Faults.ErrorRate = 1;
        var before = providers.Sandbox.ApiCalls.Count;
        await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            providers.Client(PayoutProvider.Dfns).SubmitAsync(SandboxedProviders.Payout(PayoutProvider.Dfns), null, CancellationToken.None));
        var calls = providers.Sandbox.ApiCalls.Skip(before).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Equal(("/dfns/auth/action/init", 503), (c.Path, c.StatusCode)));
    }

    [Fact]
    public async Task Open_circuit_stops_calls_until_the_provider_recovers()
    {
        await using var providers = await SandboxedProviders.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Providers:RetryAttempts"] = "0",
            ["Providers:CircuitMinimumThroughput"] = "4",
            ["Providers:CircuitSamplingDuration"] = "00:00:30",
            ["Providers:CircuitBreakDuration"] = "00:00:01",
        });
        var client = providers.Client(PayoutProvider.OxaPay);
        var payout = SandboxedProviders.Payout(PayoutProvider.OxaPay) with { ProviderReference = "unknown-track" };
        providers.Options.Faults.ErrorRate = 1;

        ProviderUnavailableException? refused = null;
        for (var i = 0; i < 10 && refused?.InnerException is not Polly.CircuitBreaker.BrokenCircuitException; i++)
            refused = await Assert.ThrowsAsync<ProviderUnavailableException>(() => client.GetAsync(payout, CancellationToken.None));
        Assert.Contains("circuit is open", refused!.Message);

        var reached = providers.Sandbox.ApiCalls.Count;
        await Assert.ThrowsAsync<ProviderUnavailableException>(() => client.GetAsync(payout, CancellationToken.None));
        Assert.Equal(reached, providers.Sandbox.ApiCalls.Count);

        providers.Options.Faults.ErrorRate = 0;
        await Eventually.Until(async () =>
        {
            try
            {
                return (await client.GetAsync(payout, CancellationToken.None)) is null ? "answered: no such payout" : "answered";
            }
            catch (ProviderUnavailableException e)
            {
                return e.Message;
            }
        }, outcome => outcome.StartsWith("answered", StringComparison.Ordinal), "the circuit to close once OxaPay answers again");
    }

    private static bool IsCreate(Bus.Sandbox.SandboxApiCall call) =>
        call.Method == "POST" && call.Path is "/dfns/payouts" or "/thedex/api/v1/payouts/create" or "/calypso/api/v1/payout/create" or "/oxapay/v1/payout";
}
