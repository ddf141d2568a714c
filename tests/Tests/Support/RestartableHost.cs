using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Payouts.Bus.Persistence;
using Payouts.Bus.Sandbox;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// What outlives the host when it is killed or restarted: the sandbox (like a real provider), the
/// database, the broker's virtual host when the setup uses RabbitMQ, and the host's address.
/// Setups: <c>Sqlite</c> and <c>Postgres</c> on the in-memory bus, <c>RabbitMq</c> with PostgreSQL.
/// </summary>
public sealed class RestartableHost : IAsyncDisposable
{
    public const string RabbitMq = "RabbitMq";

    private readonly TestDatabase _database;
    private readonly RabbitMqBroker.VirtualHost? _broker;
    private readonly Uri _hostUrl;

    private RestartableHost(TestDatabase database, RabbitMqBroker.VirtualHost? broker, ProviderSandbox sandbox, Uri hostUrl)
    {
        _database = database;
        _broker = broker;
        Sandbox = sandbox;
        _hostUrl = hostUrl;
        Http = TestApiKeys.Client(hostUrl);
    }

    public ProviderSandbox Sandbox { get; }
    public HttpClient Http { get; }

    public static TheoryData<string> Setups => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres, RabbitMq];

    public static async Task<RestartableHost> StartAsync(string setup)
    {
        var database = await TestDatabase.CreateAsync(setup == RabbitMq ? DatabaseProvider.Postgres : setup);
        var broker = setup == RabbitMq ? await RabbitMqBroker.CreateVirtualHostAsync() : null;
        var hostUrl = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var sandbox = new ProviderSandbox(new SandboxOptions
        {
            Url = new Uri("http://127.0.0.1:0"),
            StepDelay = TimeSpan.FromMilliseconds(300),
            DfnsWebhookUrl = new Uri(hostUrl, "webhooks/dfns"),
            CalypsoWebhookUrl = new Uri(hostUrl, "webhooks/calypso"),
        });
        await sandbox.StartAsync();
        return new RestartableHost(database, broker, sandbox, hostUrl);
    }

    public Task<HostProcess> StartHostAsync(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = SandboxedProviders.ProviderSettings(new SandboxOptions(), Sandbox.BaseUrl);
        settings["Payouts:PublicUrl"] = _hostUrl.ToString();
        settings["Database:Provider"] = _database.Provider;
        settings["ConnectionStrings:Payouts"] = _database.ConnectionString;
        settings["Sandbox:Enabled"] = "false";
        if (_broker is not null)
        {
            settings["Bus:Transport"] = "RabbitMq";
            settings["ConnectionStrings:RabbitMq"] = _broker.Url;
            settings["Bus:InternalMessageKey"] = TestApiKeys.InternalMessageKey;
        }
        foreach (var (key, value) in TestApiKeys.Settings())
            settings[key] = value;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
            settings[key] = value;
        return HostProcess.StartAsync(_hostUrl, settings);
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
        if (_broker is not null)
            await _broker.DisposeAsync();
    }
}
