using System.Net.Http.Json;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Deployment;

/// <summary>A production host fails closed: it never pays into the in-process simulator by mistake.</summary>
public sealed class ProductionHostTests
{
    [Fact]
    public async Task Production_host_with_the_sandbox_switched_on_refuses_to_start_and_names_the_switch()
    {
        // Bound but never listening: the host is not reachable there, and neither is a sandbox.
        using var hostPort = new ClosedLoopbackPort();
        using var sandboxPort = new ClosedLoopbackPort();
        var database = Path.Combine(Path.GetTempPath(), $"payouts-production-{Guid.NewGuid():N}.db");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => HostProcess.StartAsync(hostPort.Url, new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["ConnectionStrings:Payouts"] = $"Data Source={database}",
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:Url"] = sandboxPort.Url.ToString(),
        }));

        Assert.Contains("The host exited", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Sandbox:UnsafeAllowInProduction", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Provider sandbox listening", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(database), "a refused host touches no database");
    }

    [Fact]
    public async Task Production_host_disables_an_unconfigured_provider_and_refuses_its_payouts_provider_not_configured()
    {
        var hostUrl = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        using var theDex = new ClosedLoopbackPort();
        var database = Path.Combine(Path.GetTempPath(), $"payouts-production-{Guid.NewGuid():N}.db");
        await using var host = await HostProcess.StartAsync(hostUrl, new Dictionary<string, string>
        {
            ["environment"] = "Production",
            ["ConnectionStrings:Payouts"] = $"Data Source={database}",
            ["Payouts:PublicUrl"] = hostUrl.ToString(),
            ["Auth:ApiKeys:ops:Key"] = TestApiKeys.Everything,
            ["Auth:ApiKeys:ops:Scopes"] = string.Join(' ', Payouts.Bus.Host.Access.Scopes.All),
            ["Providers:TheDex:BaseUrl"] = theDex.Url.ToString(),
            ["Providers:TheDex:ApiKey"] = "thedex-key",
            ["Providers:TheDex:ApiSecret"] = "thedex-secret",
        });
        using var http = TestApiKeys.Client(hostUrl);

        using var refused = await http.PostAsync("/payouts", JsonContent.Create(PayoutsHostFixture.Sample("oxapay")));
        using var webhook = await http.PostAsync("/webhooks/oxapay", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
        Assert.Equal("provider_not_configured", (string?)problem!["code"]);
        Assert.Contains("configured: TheDex", (string?)problem["detail"]);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, webhook.StatusCode);
        Assert.DoesNotContain("Provider sandbox listening", host.Output, StringComparison.Ordinal);
    }
}
