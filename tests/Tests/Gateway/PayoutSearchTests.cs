using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Persistence;
using Payouts.Bus.Sagas;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>
/// <c>GET /payouts</c> on PostgreSQL behind the real host: payouts are written straight into the
/// database (as thousands of finished payouts would be), and listed over HTTP as a caller lists them.
/// </summary>
public sealed class PayoutSearchTests(RabbitMqHostFixture host) : IClassFixture<RabbitMqHostFixture>
{
    private static readonly DateTime Day = new(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Paging_through_5000_payouts_while_new_ones_arrive_gives_each_once_newest_first()
    {
        var ofA = await SeedAsync("client-a", 5_000, Day, ProviderFor);
        await SeedAsync("client-b", 300, Day, ProviderFor);
        using var a = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientA);

        var seen = new List<JsonObject>();
        string? next = $"/payouts?createdTo={Day.AddDays(1):O}&limit=137";
        var pages = 0;
        while (next is not null)
        {
            var page = await GetJsonAsync(a, next);
            seen.AddRange(page["payouts"]!.AsArray().Select(p => p!.AsObject()));
            next = (string?)page["next"];
            pages++;
            // Newer payouts arrive between pages: they sort before every page already read and must not disturb the rest.
            await SeedAsync("client-a", 3, DateTime.UtcNow, _ => PayoutProvider.TheDex);
        }

        var ids = seen.Select(p => p["payoutId"]!.GetValue<Guid>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ofA.Order(), ids.Order());
        Assert.Equal(37, pages);
        var created = seen.Select(p => p["createdAt"]!.GetValue<DateTime>()).ToList();
        Assert.Equal(created.OrderDescending(), created);
        Assert.All(seen, p => Assert.Equal("client-a", (string?)p["client"]));
    }

    [Fact]
    public async Task Filters_narrow_the_list_to_what_they_name()
    {
        var from = Day.AddDays(10);
        var seeded = await SeedAsync("client-a", 40, from, ProviderFor);
        using var a = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientA);
        var window = $"createdFrom={from:O}&createdTo={from.AddDays(1):O}";

        var all = Ids(await GetJsonAsync(a, $"/payouts?{window}&limit=500"));
        var calypso = await GetJsonAsync(a, $"/payouts?{window}&provider=calypso&status=completed&currency=usdt");
        var early = Ids(await GetJsonAsync(a, $"/payouts?createdFrom={from:O}&createdTo={from.AddSeconds(2):O}"));
        var one = await GetJsonAsync(a, $"/payouts?externalId={ExternalId(from, 7)}");

        Assert.Equal(seeded.Order(), all.Order());
        Assert.Equal(10, calypso["payouts"]!.AsArray().Count);
        Assert.All(calypso["payouts"]!.AsArray(), p => Assert.Equal("Calypso", (string?)p!["provider"]));
        Assert.Equal(seeded.Take(10).Order(), early.Order());
        Assert.Equal(seeded[7], Assert.Single(Ids(one)));
        Assert.Equal("12.50", (string?)one["payouts"]![0]!["amount"]);
    }

    [Fact]
    public async Task Another_clients_payouts_are_not_listed_and_operations_lists_everyones()
    {
        var instant = Day.AddDays(20);
        var ofB = await SeedAsync("client-b", 5, instant, ProviderFor);
        var window = $"/payouts?createdFrom={instant:O}&createdTo={instant.AddDays(1):O}";
        using var a = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientA);
        using var operations = TestApiKeys.Client(host.Http.BaseAddress!);
        using var writer = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.WriteOnly);

        Assert.Empty(Ids(await GetJsonAsync(a, window)));
        Assert.Equal(ofB.Order(), Ids(await GetJsonAsync(operations, window)).Order());
        using var refused = await writer.GetAsync(window);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Csv_holds_the_same_page_and_links_the_next()
    {
        var instant = Day.AddDays(30);
        await SeedAsync("client-a", 12, instant, ProviderFor);
        using var a = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ClientA);
        var path = $"/payouts?createdFrom={instant:O}&createdTo={instant.AddDays(1):O}&limit=5";
        var json = await GetJsonAsync(a, path);

        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("text/csv") } } };
        using var response = await a.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("payoutId,externalId,client,provider,status,amount,", lines[0]);
        Assert.Equal(Ids(json), lines.Skip(1).Select(l => Guid.Parse(l.Split(',')[0])).ToList());
        Assert.Equal($"<{(string?)json["next"]}>; rel=\"next\"", response.Headers.GetValues("Link").Single());
    }

    [Theory]
    [InlineData("statsu=Completed", "statsu")]
    [InlineData("status=Paid", "status")]
    [InlineData("provider=paypal", "provider")]
    [InlineData("provider=1", "provider")]
    [InlineData("currency=US%20DT", "currency")]
    [InlineData("createdFrom=yesterday", "createdFrom")]
    [InlineData("createdFrom=2026-01-02T00:00:00Z&createdTo=2026-01-01T00:00:00Z", "createdTo")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "cursor")]
    [InlineData("status=Completed&status=Failed", "status")]
    [InlineData("externalId=a%0Ab", "externalId")]
    public async Task Wrong_parameter_is_refused_by_name(string query, string field)
    {
        using var response = await host.Http.GetAsync($"/payouts?{query}");
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body["errors"]?[field] is not null, $"no error for {field}: {body.ToJsonString()}");
    }

    private static PayoutProvider ProviderFor(int i) => (i % 4) switch
    {
        0 => PayoutProvider.TheDex,
        1 => PayoutProvider.Calypso,
        2 => PayoutProvider.OxaPay,
        _ => PayoutProvider.Dfns,
    };

    /// <summary>
    /// Writes <paramref name="count"/> finished payouts of <paramref name="client"/>, five to a
    /// second from <paramref name="start"/>: payouts created in the same instant are ordered by id.
    /// Returns their ids in creation order.
    /// </summary>
    private async Task<List<Guid>> SeedAsync(string client, int count, DateTime start, Func<int, PayoutProvider> provider)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.NewGuid();
            var payout = new PayoutState { CorrelationId = id, CurrentState = nameof(PayoutStateMachine.Completed) };
            payout.Open(new RequestPayout(id, ExternalId(start, i), provider(i), new Money(12.50m, "USDT", "TRC20"), "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", null, null, client),
                start.AddSeconds(i / 5));
            db.Payouts.Add(payout);
            ids.Add(id);
        }
        await db.SaveChangesAsync();
        return ids;
    }

    private static string ExternalId(DateTime start, int i) => $"search-{start.Ticks}-{i}";

    private static async Task<JsonObject> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static List<Guid> Ids(JsonObject page) => page["payouts"]!.AsArray().Select(p => p!["payoutId"]!.GetValue<Guid>()).ToList();
}
