using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Sandbox;

namespace Payouts.Bus.Tests.Support;

/// <summary>
/// The real host on Kestrel over loopback, on the embedded default (in-memory bus), with the
/// provider sandbox in-process on its own port: HTTP in, provider calls and webhooks over real sockets.
/// Timers are short so that lifecycles finish in seconds.
/// </summary>
public class PayoutsHostFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string FailingAddress = "TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf";
    public const string FailingBitcoinAddress = "bc1qm2swa69en9l4clpfn876levny57dv490xzya6r";
    public const string FailingPaymentInstructions = "pi-sandbox-rejects-this-account";

    private readonly int _hostPort = LoopbackPort.Free();
    private readonly int _sandboxPort = LoopbackPort.Free();
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"payouts-test-{Guid.NewGuid():N}.db");
    private IReadOnlyDictionary<string, string> _settings = new Dictionary<string, string>();

    public PayoutsHostFixture() => UseKestrel(_hostPort);

    public HttpClient Http { get; private set; } = null!;

    public ProviderSandbox Sandbox => Services.GetRequiredService<ProviderSandbox>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Urls", $"http://127.0.0.1:{_hostPort}");
        builder.UseSetting("Payouts:PublicUrl", $"http://127.0.0.1:{_hostPort}");
        builder.UseSetting("ConnectionStrings:Payouts", $"Data Source={_database}");
        builder.UseSetting("Payouts:Lifecycle:StatusPollInterval", "00:00:00.300");
        builder.UseSetting("Payouts:Lifecycle:StatusPollQuietPeriod", "00:00:00.300");
        builder.UseSetting("Payouts:Lifecycle:ConfirmationTimeout", "00:01:00");
        builder.UseSetting("Sandbox:Enabled", "true");
        builder.UseSetting("Sandbox:Url", $"http://127.0.0.1:{_sandboxPort}");
        builder.UseSetting("Sandbox:StepDelay", "00:00:00.100");
        builder.UseSetting("Sandbox:FailingDestinations:0", FailingAddress);
        builder.UseSetting("Sandbox:FailingDestinations:1", FailingBitcoinAddress);
        builder.UseSetting("Sandbox:FailingDestinations:2", FailingPaymentInstructions);
        foreach (var (key, value) in TestApiKeys.Settings())
            builder.UseSetting(key, value);
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }

    /// <summary>Settings on top of the embedded default, prepared before the host starts (a database, a broker).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>> PrepareAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _settings = await PrepareAsync();
        StartServer();
        Http = TestApiKeys.Client(new Uri($"http://127.0.0.1:{_hostPort}"));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        Http.Dispose();
        await base.DisposeAsync();
        await CleanUpAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(_database);
    }

    public static JsonObject Sample(string provider, string? externalId = null)
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", $"{provider}.json")))!.AsObject();
        sample["externalId"] = externalId ?? $"test-{provider}-{Guid.NewGuid():N}";
        return sample;
    }

    public async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string path, JsonNode? body)
    {
        using var response = await Http.PostAsync(path, body is null ? null : JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject());
    }

    public async Task<JsonObject> GetPayoutAsync(Guid payoutId)
    {
        using var response = await Http.GetAsync($"/payouts/{payoutId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public Task<JsonObject> WaitForStatusAsync(Guid payoutId, string status) =>
        Eventually.Until(() => GetPayoutAsync(payoutId), p => (string?)p["status"] == status,
            $"payout {payoutId} to be {status}");

    public async Task<Guid> RequestAsync(JsonObject request)
    {
        var (status, body) = await PostAsync("/payouts", request);
        Assert.True(status == HttpStatusCode.Accepted, $"POST /payouts answered {(int)status}: {body.ToJsonString()}");
        return body["payoutId"]!.GetValue<Guid>();
    }

    /// <summary>Confirms a payout awaiting confirmation with the deposit address and amount it shows, as a person would.</summary>
    public async Task<HttpStatusCode> ConfirmAsShownAsync(Guid payoutId, JsonObject awaiting)
    {
        var (status, _) = await PostAsync($"/payouts/{payoutId}/confirm", ConfirmationAsShown(awaiting));
        return status;
    }

    /// <summary>The body of <c>POST /payouts/{id}/confirm</c> that echoes what a payout awaiting confirmation shows.</summary>
    public static JsonObject ConfirmationAsShown(JsonObject awaiting) => new()
    {
        ["depositAddress"] = (string)awaiting["confirmation"]!["depositAddress"]!,
        ["amount"] = (string)awaiting["confirmation"]!["amount"]!,
    };

    public static string Describe(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<PayoutsHostFixture>
{
    public const string Name = "host";
}
