using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>A payout belongs to the client that requested it: another client cannot see, confirm or cancel it.</summary>
[Collection(HostCollection.Name)]
public sealed class OwnershipTests(PayoutsHostFixture host)
{
    [Fact]
    public async Task Another_clients_payout_is_404_for_reading_confirming_and_canceling_and_stays_as_it_was()
    {
        using var a = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientA);
        using var b = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientB);
        var payoutId = await RequestAsync(a, PayoutsHostFixture.Sample("dfns"));
        var awaiting = await host.WaitForStatusAsync(payoutId, "AwaitingConfirmation");
        var confirmation = PayoutsHostFixture.ConfirmationAsShown(awaiting);

        using var read = await b.GetAsync($"/payouts/{payoutId}");
        using var confirm = await b.PostAsJsonAsync($"/payouts/{payoutId}/confirm", confirmation);
        using var cancel = await b.PostAsync($"/payouts/{payoutId}/cancel", null);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, confirm.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        using var own = await a.GetAsync($"/payouts/{payoutId}");
        var payout = (await own.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("AwaitingConfirmation", (string?)payout["status"]);
        Assert.Equal("client-a", (string?)payout["client"]);
    }

    [Fact]
    public async Task Owner_acts_on_its_payout_and_the_history_names_it()
    {
        using var a = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientA);
        var payoutId = await RequestAsync(a, PayoutsHostFixture.Sample("dfns"));
        await host.WaitForStatusAsync(payoutId, "AwaitingConfirmation");

        using var cancel = await a.PostAsJsonAsync($"/payouts/{payoutId}/cancel", new { reason = "wrong account" });

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var payout = await host.WaitForStatusAsync(payoutId, "Canceled");
        var history = payout["history"]!.AsArray();
        Assert.Equal("client-a", (string?)history.Single(h => (string?)h!["event"] == "RequestPayout")!["client"]);
        Assert.Equal("client-a", (string?)history.Single(h => (string?)h!["event"] == "CancelPayout")!["client"]);
    }

    [Fact]
    public async Task Same_external_id_from_two_clients_is_two_payouts()
    {
        using var a = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientA);
        using var b = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientB);
        var request = PayoutsHostFixture.Sample("thedex");

        var ofA = await RequestAsync(a, request);
        var ofB = await RequestAsync(b, request);
        var ofAAgain = await RequestAsync(a, request);

        Assert.NotEqual(ofA, ofB);
        Assert.Equal(ofA, ofAAgain);
        var paidA = await host.WaitForStatusAsync(ofA, "Completed");
        var paidB = await host.WaitForStatusAsync(ofB, "Completed");
        Assert.NotEqual((string?)paidA["providerReference"], (string?)paidB["providerReference"]);
    }

    private static async Task<Guid> RequestAsync(HttpClient client, JsonObject request)
    {
        using var response = await client.PostAsJsonAsync("/payouts", request);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /payouts answered {(int)response.StatusCode}: {body.ToJsonString()}");
        return body["payoutId"]!.GetValue<Guid>();
    }
}
