using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>With Payouts:Approval:RequireDifferentApprover on, a payout is confirmed by a client other than the one that requested it.</summary>
public sealed class FourEyesTests(FourEyesTests.FourEyesHost host) : IClassFixture<FourEyesTests.FourEyesHost>
{
    [Fact]
    public async Task Requester_cannot_confirm_its_own_payout_and_an_operator_can()
    {
        using var requester = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientA);
        using var created = await requester.PostAsJsonAsync("/payouts", PayoutsHostFixture.Sample("dfns"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var payoutId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["payoutId"]!.GetValue<Guid>();
        var awaiting = await host.WaitForStatusAsync(payoutId, "AwaitingConfirmation");
        var confirmation = PayoutsHostFixture.ConfirmationAsShown(awaiting);

        using var own = await requester.PostAsJsonAsync($"/payouts/{payoutId}/confirm", confirmation);

        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains("another client must confirm it", await own.Content.ReadAsStringAsync());
        Assert.Equal("AwaitingConfirmation", (string?)(await host.GetPayoutAsync(payoutId))["status"]);
        Assert.Equal(HttpStatusCode.Accepted, await host.ConfirmAsShownAsync(payoutId, awaiting));
        var paid = await host.WaitForStatusAsync(payoutId, "Completed");
        Assert.Equal("tests", (string?)paid["history"]!.AsArray().Single(h => (string?)h!["event"] == "ConfirmPayout")!["client"]);
    }

    public sealed class FourEyesHost : PayoutsHostFixture
    {
        protected override Task<IReadOnlyDictionary<string, string>> PrepareAsync() =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["Payouts:Approval:RequireDifferentApprover"] = "true" });
    }
}
