using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Gateway;

/// <summary>A host that is up but degraded (a receive endpoint faulted or stalled) is not ready: load balancers stop sending to it.</summary>
public sealed class ReadinessTests(ReadinessTests.DegradedHost host) : IClassFixture<ReadinessTests.DegradedHost>
{
    [Fact]
    public async Task Degraded_host_answers_503_on_readiness_and_stays_live()
    {
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };

        using var ready = await anonymous.GetAsync("/health/ready");
        using var live = await anonymous.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("Degraded", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    /// <summary>The embedded host with one more readiness check that reports what MassTransit reports for a faulted endpoint.</summary>
    public sealed class DegradedHost : PayoutsHostFixture
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddHealthChecks()
                .AddCheck("payout-state-endpoint", () => HealthCheckResult.Degraded("receive endpoint faulted"), tags: ["ready"]));
        }
    }
}
