using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>The HTTP contract: idempotency, validation errors that name the field, status codes.</summary>
[Collection(HostCollection.Name)]
public sealed class GatewayTests(PayoutsHostFixture host)
{
    [Fact]
    public async Task Same_external_id_and_body_again_returns_the_same_payout()
    {
        var request = PayoutsHostFixture.Sample("calypso");

        var first = await host.RequestAsync(request);
        var second = await host.RequestAsync(request);

        Assert.Equal(first, second);
        var payout = await host.WaitForStatusAsync(first, "Completed");
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
    }

    [Fact]
    public async Task Concurrent_identical_requests_make_one_payout()
    {
        var request = PayoutsHostFixture.Sample("oxapay");

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.RequestAsync(request)));

        Assert.Single(ids.Distinct());
        var payout = await host.WaitForStatusAsync(ids[0], "Completed");
        Assert.Single(host.Sandbox.Ledger.Transfers, t => t.Reference == (string)payout["providerReference"]!);
    }

    [Fact]
    public async Task Same_external_id_with_a_different_body_is_a_conflict_and_the_first_payout_is_untouched()
    {
        var request = PayoutsHostFixture.Sample("thedex");
        var first = await host.RequestAsync(request);

        var changed = request.DeepClone().AsObject();
        changed["amount"] = "999";
        var (status, problem) = await host.PostAsync("/payouts", changed);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains(first.ToString(), (string)problem["detail"]!);
        var payout = await host.WaitForStatusAsync(first, "Completed");
        Assert.Equal("125.50", (string)payout["amount"]!);
    }

    [Theory]
    [InlineData("amount", "\"1.1234567\"", "amount")]
    [InlineData("amount", "\"1e5\"", "amount")]
    [InlineData("amount", "\"-5\"", "amount")]
    [InlineData("provider", "\"PayPal\"", "provider")]
    [InlineData("currency", "\"DOGE\"", "currency")]
    [InlineData("network", "\"Mars\"", "network")]
    [InlineData("destination", "\"not-a-tron-address\"", "destination")]
    [InlineData("externalId", "\"has spaces in it\"", "externalId")]
    [InlineData("externalId", "null", "externalId")]
    [InlineData("provider", "\"TheDex,Dfns\"", "provider")]
    [InlineData("provider", "2", "provider")]
    [InlineData("provider", "\"2\"", "provider")]
    [InlineData("destination", "\"TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy\\n\"", "destination")]
    [InlineData("destination", "\" TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy\"", "destination")]
    [InlineData("destination", "\"TQ4ZgZ9m8PCUxWnoxxqC\"", "destination")]
    [InlineData("destination", "\"TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqz\"", "destination")]
    [InlineData("memo", "\"a\\u0000b\"", "memo")]
    [InlineData("memo", "\"pay\\u202Eout\"", "memo")]
    [InlineData("currency", "\"USDT \"", "currency")]
    [InlineData("amount", "\"99999999999999999999999\"", "amount")]
    public async Task Invalid_field_is_refused_with_400_naming_it(string field, string json, string expectedField)
    {
        var request = PayoutsHostFixture.Sample("thedex");
        request[field] = JsonNode.Parse(json);

        var (status, problem) = await host.PostAsync("/payouts", request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(expectedField), PayoutsHostFixture.Describe(problem));
    }

    [Fact]
    public async Task Payout_with_a_null_provider_is_routed_like_one_without()
    {
        var request = PayoutsHostFixture.Sample("thedex");
        request["provider"] = null;

        var payout = await host.WaitForStatusAsync(await host.RequestAsync(request), "Completed");

        Assert.True((string?)payout["provider"] is "TheDex" or "Calypso" or "OxaPay", PayoutsHostFixture.Describe(payout));
        Assert.Contains("default order", (string?)payout["history"]!.AsArray().Single(h => (string?)h!["event"] == "RequestPayout")!["reason"]);
    }

    [Fact]
    public async Task Dfns_payout_without_its_details_is_refused_naming_them()
    {
        var request = PayoutsHostFixture.Sample("dfns");
        request["dfns"]!["paymentPurpose"] = "gambling";
        request["dfns"]!["walletId"] = "wallet-1";

        var (status, problem) = await host.PostAsync("/payouts", request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("dfns.paymentPurpose"));
        Assert.True(errors.ContainsKey("dfns.walletId"));
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_400()
    {
        using var response = await host.Http.PostAsync("/payouts", new StringContent("{\"externalId\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_payout_is_404()
    {
        using var response = await host.Http.GetAsync($"/payouts/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Quote_comes_from_the_provider_or_says_why_not()
    {
        var (ok, quote) = await host.PostAsync("/payouts/quote", new JsonObject
        {
            ["provider"] = "Calypso", ["amount"] = "100", ["currency"] = "USDT", ["network"] = "Tron",
        });
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal("0.500", (string)quote["fee"]!);

        var (unavailable, problem) = await host.PostAsync("/payouts/quote", new JsonObject
        {
            ["provider"] = "OxaPay", ["amount"] = "1", ["currency"] = "BTC", ["network"] = "Bitcoin",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unavailable);
        Assert.Contains("OxaPay", (string)problem["detail"]!);
    }

    [Theory]
    [InlineData("99999999999999999999999")]
    [InlineData("1.1234567")]
    [InlineData("0")]
    public async Task Quote_for_an_amount_no_payout_could_have_is_refused_naming_amount(string amount)
    {
        var (status, problem) = await host.PostAsync("/payouts/quote", new JsonObject
        {
            ["provider"] = "TheDex", ["amount"] = amount, ["currency"] = "USDT", ["network"] = "Tron",
        });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("amount"), PayoutsHostFixture.Describe(problem));
    }

    [Theory]
    [InlineData("/payouts", false)]
    [InlineData("/payouts", true)]
    [InlineData("/payouts/quote", true)]
    [InlineData("/webhooks/thedex", true)]
    [InlineData("/webhooks/thedex", false)]
    public async Task Body_over_the_limit_is_refused_with_413_however_it_is_sent(string path, bool chunked)
    {
        // Valid JSON as far as it goes, so that only its size can refuse it.
        var body = "{\"memo\":\"" + new string('a', 300 * 1024) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (chunked)
            request.Headers.TransferEncodingChunked = true;

        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("oxapay", "HMAC")]
    [InlineData("thedex", "X-EX-SIGNATURE")]
    [InlineData("calypso", "Sign")]
    [InlineData("dfns", "X-DFNS-WEBHOOK-SIGNATURE")]
    public async Task Forged_webhook_is_refused_with_401(string provider, string signatureHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{provider}")
        {
            Content = new StringContent("{\"status\":\"confirmed\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(signatureHeader, "sha256=" + new string('a', 128));

        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("Dfns,TheDex")]
    [InlineData("paypal")]
    public async Task Webhook_for_a_path_that_is_not_a_provider_name_is_404(string provider)
    {
        using var response = await host.Http.PostAsync($"/webhooks/{Uri.EscapeDataString(provider)}", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    public async Task Operational_endpoints_answer(string path)
    {
        using var response = await host.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readiness_names_the_database_and_the_bus()
    {
        using var response = await host.Http.GetAsync("/health/ready");

        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var checks = report["checks"]!.AsArray().Select(c => ((string?)c!["name"], (string?)c["status"])).ToList();
        Assert.Equal("Healthy", (string?)report["status"]);
        Assert.Contains(("database", "Healthy"), checks);
        Assert.Contains(checks, c => c.Item1 == "masstransit-bus" && c.Item2 == "Healthy");
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_text_with_the_processors_series()
    {
        var id = await host.RequestAsync(PayoutsHostFixture.Sample("calypso"));
        await host.WaitForStatusAsync(id, "Completed");

        var text = await Eventually.Until(async () => await host.Http.GetStringAsync("/metrics"),
            body => body.Contains("payouts_transitions", StringComparison.Ordinal), "payouts_ series on /metrics");

        Assert.Contains("# TYPE payouts_transitions", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }
}
