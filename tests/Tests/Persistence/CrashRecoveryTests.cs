using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Payouts.Bus.Persistence;
using Payouts.Bus.Sandbox;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Persistence;

/// <summary>
/// The host killed with SIGKILL in the middle of a payout and started again on the same database:
/// the payout still reaches its end, and the provider pays it exactly once. The sandbox runs in the
/// test process, so that, like a real provider, it outlives the host.
/// </summary>
public sealed class CrashRecoveryTests
{
    public static TheoryData<string> Databases => DurableSagaTests.Databases;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Payout_requested_just_before_a_crash_completes_once_after_restart(string provider)
    {
        await using var world = await World.StartAsync(provider);
        var host = await world.StartHostAsync();

        var id = await world.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        await host.KillAsync();
        await using var restarted = await world.StartHostAsync();

        var payout = await world.WaitForStatusAsync(id, "Completed");
        Assert.Single(world.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
        Assert.Single(world.Sandbox.Ledger.Transfers);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Payout_confirmed_just_before_a_crash_completes_once_after_restart(string provider)
    {
        await using var world = await World.StartAsync(provider);
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

    /// <summary>A sandbox, a database and a host address that stay the same across host restarts.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly TestDatabase _database;
        private readonly Uri _hostUrl;

        private World(TestDatabase database, ProviderSandbox sandbox, Uri hostUrl)
        {
            _database = database;
            Sandbox = sandbox;
            _hostUrl = hostUrl;
            Http = new HttpClient { BaseAddress = hostUrl };
        }

        public ProviderSandbox Sandbox { get; }
        public HttpClient Http { get; }

        public static async Task<World> StartAsync(string provider)
        {
            var database = await TestDatabase.CreateAsync(provider);
            var hostUrl = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
            var sandbox = new ProviderSandbox(new SandboxOptions
            {
                Url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}"),
                StepDelay = TimeSpan.FromMilliseconds(300),
                DfnsWebhookUrl = new Uri(hostUrl, "webhooks/dfns"),
                CalypsoWebhookUrl = new Uri(hostUrl, "webhooks/calypso"),
            });
            await sandbox.StartAsync();
            return new World(database, sandbox, hostUrl);
        }

        public Task<HostProcess> StartHostAsync()
        {
            var sandbox = new SandboxOptions();
            var root = Sandbox.BaseUrl;
            return HostProcess.StartAsync(_hostUrl, new Dictionary<string, string>
            {
                ["Payouts:PublicUrl"] = _hostUrl.ToString(),
                ["Payouts:Lifecycle:StatusPollInterval"] = "00:00:00.500",
                ["Payouts:Lifecycle:SubmissionCheckDelay"] = "00:00:03",
                ["Database:Provider"] = _database.Provider,
                ["ConnectionStrings:Payouts"] = _database.ConnectionString,
                ["Sandbox:Enabled"] = "false",
                ["Providers:Dfns:BaseUrl"] = new Uri(root, "dfns").ToString(),
                ["Providers:Dfns:ApiToken"] = sandbox.DfnsApiToken,
                ["Providers:Dfns:WebhookSecret"] = sandbox.DfnsWebhookSecret,
                ["Providers:TheDex:BaseUrl"] = new Uri(root, "thedex/api/v1").ToString(),
                ["Providers:TheDex:ApiKey"] = sandbox.TheDexApiKey,
                ["Providers:TheDex:ApiSecret"] = sandbox.TheDexApiSecret,
                ["Providers:Calypso:BaseUrl"] = new Uri(root, "calypso").ToString(),
                ["Providers:Calypso:Account"] = sandbox.CalypsoAccount,
                ["Providers:Calypso:PublicKey"] = sandbox.CalypsoPublicKey,
                ["Providers:Calypso:Secret"] = sandbox.CalypsoSecret,
                ["Providers:Calypso:WebhookSecret"] = sandbox.CalypsoWebhookSecret,
                ["Providers:OxaPay:BaseUrl"] = new Uri(root, "oxapay/v1").ToString(),
                ["Providers:OxaPay:PayoutApiKey"] = sandbox.OxaPayPayoutApiKey,
            });
        }

        public async Task<Guid> RequestAsync(JsonObject request)
        {
            using var response = await Http.PostAsJsonAsync("/payouts", request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!["payoutId"]!.GetValue<Guid>();
        }

        public Task<JsonObject> WaitForStatusAsync(Guid id, string status) =>
            Eventually.Until(async () =>
            {
                try
                {
                    return await Http.GetFromJsonAsync<JsonObject>($"/payouts/{id}");
                }
                catch (HttpRequestException)
                {
                    return null; // the host is still starting
                }
            }, p => (string?)p?["status"] == status, $"payout {id} to be {status}").ContinueWith(t => t.Result!);

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Sandbox.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
