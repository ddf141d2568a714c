using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>
/// A payout whose provider news never arrives: TheDex callbacks go to a closed port and the status
/// poll is an hour away, so only reconciliation can notice that the payout is done.
/// </summary>
public sealed class ReconciliationTests(ReconciliationTests.LostCallbacksHostFixture host) : IClassFixture<ReconciliationTests.LostCallbacksHostFixture>
{
    [Fact]
    public async Task Payout_whose_callbacks_are_lost_is_completed_by_reconciliation()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));

        var payout = await host.WaitForStatusAsync(id, "Completed");

        var history = payout["history"]!.AsArray();
        Assert.Contains(history, e => ((string)e!["reason"]!).StartsWith("status poll", StringComparison.Ordinal));
        Assert.DoesNotContain(history, e => ((string)e!["reason"]!).StartsWith("thedex callback", StringComparison.Ordinal));
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
    }

    public sealed class LostCallbacksHostFixture : PayoutsHostFixture
    {
        private readonly ClosedLoopbackPort _nowhere = new();

        protected override Task CleanUpAsync()
        {
            _nowhere.Dispose();
            return Task.CompletedTask;
        }

        protected override Task<IReadOnlyDictionary<string, string>> PrepareAsync() =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
            {
                ["Providers:TheDex:CallbackUrl"] = new Uri(_nowhere.Url, "webhooks/thedex").ToString(),
                ["Payouts:Lifecycle:StatusPollInterval"] = "01:00:00",
                ["Payouts:Lifecycle:StatusPollQuietPeriod"] = "01:00:00",
                ["Payouts:Reconciliation:Interval"] = "00:00:00.500",
                ["Payouts:Reconciliation:StaleAfter"] = "00:00:01",
            });
    }
}
