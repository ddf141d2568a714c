using System.Net;
using System.Net.Http.Json;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Persistence;

/// <summary>
/// The host killed with SIGKILL in the middle of a payout and started again on the same database:
/// the payout still reaches its end, and the provider pays it exactly once. The sandbox runs in the
/// test process, so that, like a real provider, it outlives the host. On SQLite and PostgreSQL with
/// the in-memory bus, and on RabbitMQ with PostgreSQL.
/// </summary>
public sealed class CrashRecoveryTests
{
    public static TheoryData<string> Setups => RestartableHost.Setups;

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task Payout_requested_just_before_a_crash_completes_once_after_restart(string setup)
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
        var host = await world.StartHostAsync();
        var id = await world.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        var awaiting = await world.WaitForStatusAsync(id, "AwaitingConfirmation");

        using var confirmed = await world.Http.PostAsJsonAsync($"/payouts/{id}/confirm", new
        {
            depositAddress = (string)awaiting["confirmation"]!["depositAddress"]!,
            amount = (string)awaiting["confirmation"]!["amount"]!,
        });
        Assert.Equal(HttpStatusCode.Accepted, confirmed.StatusCode);
        await host.KillAsync();
        await using var restarted = await world.StartHostAsync();

        var payout = await world.WaitForStatusAsync(id, "Completed");
        Assert.Single(world.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
    }
}
