using System.Net;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>Each client has its own rate: one that floods is answered 429 with Retry-After, and the others are not slowed.</summary>
public sealed class RateLimitTests(RateLimitTests.SlowClientsHost host) : IClassFixture<RateLimitTests.SlowClientsHost>
{
    private const int Burst = 3;

    [Fact]
    public async Task Client_over_its_rate_gets_429_with_retry_after_and_another_client_is_served()
    {
        using var flooding = TestApiKeys.Client(host.Http.BaseAddress!, TestApiKeys.ReadOnly);
        var payout = $"/payouts/{Guid.NewGuid()}";

        var answers = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 50 && refused is null; i++)
        {
            var response = await flooding.GetAsync(payout);
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                refused = response;
            else
                response.Dispose();
        }
        using var other = await host.Http.GetAsync(payout);

        Assert.NotNull(refused);
        Assert.All(answers.Take(Burst), status => Assert.Equal(HttpStatusCode.NotFound, status));
        Assert.True(refused!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.ToString());
        Assert.Contains("Too many requests", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        refused.Dispose();
    }

    [Fact]
    public async Task Health_and_webhooks_are_not_counted_against_any_client()
    {
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };

        var answers = await Task.WhenAll(Enumerable.Range(0, Burst * 3).Select(async _ =>
        {
            using var response = await anonymous.GetAsync("/health/live");
            return response.StatusCode;
        }));

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    /// <summary>The embedded host with a rate small enough to reach: one call per second, bursts of three.</summary>
    public sealed class SlowClientsHost : PayoutsHostFixture
    {
        protected override Task<IReadOnlyDictionary<string, string>> PrepareAsync() =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
            {
                ["RateLimits:PerClientPerSecond"] = "1",
                ["RateLimits:PerClientBurst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
    }
}
