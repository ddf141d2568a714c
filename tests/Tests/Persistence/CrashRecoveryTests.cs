using System.Net;
using System.Net.Http.Json;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Persistence;

/// <summary>
/// The host killed with SIGKILL in the middle of a payout and started again on the same database:
/// the payout still reaches its end, and the provider pays it exactly once. At the default
/// settings: a recovery that needs a shortened timer does not recover for users. The sandbox runs in the
/// test process, so that, like a real provider, it outlives the host. On SQLite and PostgreSQL with
/// the in-memory bus, and on RabbitMQ with PostgreSQL.
/// </summary>
public sealed class CrashRecoveryTests
{
    public static TheoryData<string> Setups => RestartableHost.Setups;

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task Payout_requested_just_before_a_crash_completes_once_within_seconds_of_restart(string setup)
    {
        await using var world = await RestartableHost.StartAsync(setup);
        var host = await world.StartHostAsync();

        var id = await world.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        await host.KillAsync();
        await using var restarted = await world.StartHostAsync();

        var payout = await world.WaitForStatusAsync(id, "Completed");
        Assert.Single(world.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
        Assert.Single(world.Sandbox.Ledger.Transfers);
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task Payout_confirmed_just_before_a_crash_completes_once_after_restart(string setup)
    {
        await using var world = await RestartableHost.StartAsync(setup);
        // Whether a confirmation that died with the process reached Dfns cannot be asked, only
        // seen: it is sent again once Dfns still awaits it SubmissionCheckDelay (15 min) after it
        // was sent. Shortened here; Dfns is polled for completion (it sends no webhook for it).
        var lifecycle = new Dictionary<string, string>
        {
            ["Payouts:Lifecycle:SubmissionCheckDelay"] = "00:00:03",
            ["Payouts:Lifecycle:StatusPollInterval"] = "00:00:00.500",
        };
        var host = await world.StartHostAsync(lifecycle);
        var id = await world.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await world.WaitForStatusAsync(id, "AwaitingConfirmation");

        using var confirmed = await world.Http.PostAsJsonAsync($"/payouts/{id}/confirm", new
        {
            depositAddress = (string)awaiting["confirmation"]!["depositAddress"]!,
            amount = (string)awaiting["confirmation"]!["amount"]!,
        });
        Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
        await host.KillAsync();
        await using var restarted = await world.StartHostAsync(lifecycle);

        var payout = await world.WaitForStatusAsync(id, "Completed");
        Assert.Single(world.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
    }
}
