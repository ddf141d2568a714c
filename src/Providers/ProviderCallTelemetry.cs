using System.Diagnostics;
using Payouts.Bus.Contracts;
using Payouts.Bus.Observability;

namespace Payouts.Bus.Providers;

/// <summary>
/// Every call to a provider as a client span and a measurement: provider, operation (method and
/// path with ids replaced by <c>{id}</c>), duration and outcome. Only the method and path are
/// recorded: never headers (keys, signatures) or bodies.
/// </summary>
internal sealed class ProviderCallTelemetry(PayoutProvider provider, PayoutsMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = Operation(request);
        using var span = PayoutsTelemetry.Source.StartActivity($"{provider} {operation}", ActivityKind.Client);
        span?.SetTag(PayoutsTelemetry.Tags.Provider, provider.ToString());
        span?.SetTag(PayoutsTelemetry.Tags.Operation, operation);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            var outcome = response.IsSuccessStatusCode ? "ok" : status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // A 4xx is mostly the provider's answer about the payout (not found, invalid, declined); the
            // provider itself is failing on 5xx, and we are on 401/403 (credentials) and 429 (rate).
            var failing = status >= 500 || status is 401 or 403 or 408 or 429;
            metrics.ProviderCall(provider.ToString(), operation, Stopwatch.GetElapsedTime(started), outcome, failing);
            span?.SetTag("http.response.status_code", status);
            if (failing)
                span?.SetStatus(ActivityStatusCode.Error, $"HTTP {outcome}");
            return response;
        }
        catch (Exception e)
        {
            metrics.ProviderCall(provider.ToString(), operation, Stopwatch.GetElapsedTime(started), e.GetType().Name, failing: true);
            span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    /// <summary><c>GET /payouts/{id}</c>: the path, ids (segments with a digit, but for versions like <c>v1</c>) replaced.</summary>
    internal static string Operation(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Any(char.IsDigit) && !IsVersion(s) ? "{id}" : s);
        return $"{request.Method} /{string.Join('/', segments)}";
    }

    private static bool IsVersion(string segment) => segment.Length is > 1 and < 4 && segment[0] == 'v' && segment[1..].All(char.IsDigit);
}
