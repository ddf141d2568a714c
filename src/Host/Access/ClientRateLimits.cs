using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Payouts.Bus.Host.Access;

/// <summary>Configuration section <c>RateLimits</c>: how fast each client (API key) may call.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Calls per second each client may make, on average.</summary>
    [Range(1, 100_000)]
    public int PerClientPerSecond { get; set; } = 100;

    /// <summary>Calls a client may make at once, above the average, after a quiet spell.</summary>
    [Range(1, 1_000_000)]
    public int PerClientBurst { get; set; } = 200;
}

/// <summary>
/// Every authenticated client has its own token bucket: one client's flood is answered 429 with
/// <c>Retry-After</c> and never slows another. Calls without a client (health, provider webhooks,
/// which their signature and the provider's own pacing bound) are not counted here.
/// </summary>
public static class ClientRateLimits
{
    public static IServiceCollection AddClientRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var limits = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.User.Identity is { IsAuthenticated: true, Name: { } client }
                    ? RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.PerClientBurst,
                        TokensPerPeriod = limits.PerClientPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientRateLimits))
                    .LogWarning("Client {Client} over its rate limit ({PerSecond}/s, burst {Burst}): {Method} {Path} answered 429",
                        http.User.Identity?.Name, limits.PerClientPerSecond, limits.PerClientBurst, http.Request.Method, http.Request.Path);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"This client may make {limits.PerClientPerSecond} calls per second (bursts of {limits.PerClientBurst}). Retry after {retryAfter} s.",
                    },
                });
            };
        });
        return services;
    }
}
