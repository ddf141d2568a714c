using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Persistence.Access;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>Who may call what, over real HTTP: no key → 401, a key without the scope → 403.</summary>
[Collection(HostCollection.Name)]
public sealed class AccessTests(PayoutsHostFixture host)
{
    public static TheoryData<string, string> MoneyCalls => new()
    {
        { "POST", "/payouts" },
        { "GET", $"/payouts/{Guid.NewGuid()}" },
        { "POST", $"/payouts/{Guid.NewGuid()}/confirm" },
        { "POST", $"/payouts/{Guid.NewGuid()}/cancel" },
        { "POST", "/payouts/quote" },
        { "GET", "/dashboard" },
        { "GET", "/dashboard/data" },
        { "GET", "/metrics" },
    };

    [Theory]
    [MemberData(nameof(MoneyCalls))]
    public async Task Call_without_a_key_is_refused_401_with_a_challenge(string method, string path)
    {
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };
        using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(PayoutsHostFixture.Sample("thedex")) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Theory]
    [MemberData(nameof(MoneyCalls))]
    public async Task Call_with_an_unknown_key_is_refused_401(string method, string path)
    {
        using var stranger = TestApiKeys.Client(host.Http.BaseAddress!, "pbk_made_up_by_a_stranger_0123456789");
        using var response = await stranger.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(PayoutsHostFixture.Sample("thedex")) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Unknown or revoked API key", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Read_only_key_reads_but_cannot_create_or_confirm()
    {
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        using var reader = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ReadOnly);

        using var read = await reader.GetAsync($"/payouts/{payoutId}");
        using var create = await reader.PostAsJsonAsync("/payouts", PayoutsHostFixture.Sample("thedex"));
        using var confirm = await reader.PostAsync($"/payouts/{payoutId}/confirm", null);
        using var dashboard = await reader.GetAsync("/dashboard/data");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Contains("payouts:write", await create.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, confirm.StatusCode);
        Assert.Contains("payouts:approve", await confirm.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, dashboard.StatusCode);
    }

    [Fact]
    public async Task Write_only_key_creates_but_cannot_cancel_or_read()
    {
        using var writer = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.WriteOnly);

        using var create = await writer.PostAsJsonAsync("/payouts", PayoutsHostFixture.Sample("dfns"));
        Assert.Equal(HttpStatusCode.Accepted, create.StatusCode);
        var location = create.Headers.Location!.ToString();
        using var cancel = await writer.PostAsync($"{location}/cancel", null);
        using var read = await writer.GetAsync(location);

        Assert.Equal(HttpStatusCode.Forbidden, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
    }

    [Fact]
    public async Task Stored_key_works_until_it_is_revoked()
    {
        var name = $"stored-{Guid.NewGuid():N}";
        string key;
        await using (var scope = host.Services.CreateAsyncScope())
            key = await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().CreateAsync(name, "payouts:write payouts:read", CancellationToken.None);
        using var client = TestApiKeys.Client(host.Http.BaseAddress!, key);
        using var created = await client.PostAsJsonAsync("/payouts", PayoutsHostFixture.Sample("thedex"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var payoutId = (await created.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["payoutId"]!.GetValue<Guid>();

        using var before = await client.GetAsync($"/payouts/{payoutId}");
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<ApiKeyStore>();
            Assert.NotNull((await store.ListAsync(CancellationToken.None)).Single(k => k.Name == name).LastUsedAt);
            Assert.True(await store.RevokeAsync(name, CancellationToken.None));
        }
        using var after = await client.GetAsync($"/payouts/{payoutId}");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_needs_no_key(string path)
    {
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };
        using var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
