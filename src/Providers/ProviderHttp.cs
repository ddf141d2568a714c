using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Payouts.Bus.Providers;

/// <summary>
/// Sends provider requests and turns the failures that carry no decision into the two
/// exceptions the consumers act on: safe to retry, or outcome unknown.
/// </summary>
internal static class ProviderHttp
{
    /// <param name="changesState">
    /// True for calls that create or change a payout: for those a time-out or a 5xx may hide a
    /// change the provider made, so they are reported as an unknown outcome, not a retryable one.
    /// </param>
    /// <param name="repeatable">
    /// Whether the very same request may be sent again; by default, when it changes nothing. A call
    /// that spends something single-use (a Dfns challenge) changes nothing and still is not.
    /// </param>
    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpRequestMessage request, PayoutProvider provider, bool changesState, CancellationToken cancellationToken, bool? repeatable = null)
    {
        request.Options.Set(ProviderResilience.SafeToRetry, repeatable ?? !changesState);
        request.Options.Set(ProviderResilience.ChangesState, changesState);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (BrokenCircuitException e)
        {
            throw new ProviderUnavailableException(provider, $"not calling {request.Method} {request.RequestUri}: the circuit is open after repeated failures", e);
        }
        catch (RateLimiterRejectedException e)
        {
            throw new ProviderUnavailableException(provider, $"not calling {request.Method} {request.RequestUri}: our rate limit for the provider is exhausted", e);
        }
        catch (TimeoutRejectedException e)
        {
            throw Failure(provider, changesState, $"{request.Method} {request.RequestUri} timed out after {e.Timeout}", e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new ProviderUnavailableException(provider, $"could not connect for {request.Method} {request.RequestUri}", e);
        }
        catch (HttpRequestException e)
        {
            throw Failure(provider, changesState, $"{request.Method} {request.RequestUri} broke off: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure(provider, changesState, $"{request.Method} {request.RequestUri} timed out", e);
        }

        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            response.Dispose();
            // Without an idempotency key, a 503 from anything between us and the provider cannot
            // prove the change was not made: the payout is looked up before it is sent again.
            if (changesState && !ProviderProfiles.For(provider).HasIdempotencyKey)
                throw new ProviderOutcomeUnknownException(provider, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: looked up before it is sent again");
            throw new ProviderUnavailableException(provider, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: try later");
        }

        if ((int)response.StatusCode >= 500)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw Failure(provider, changesState, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {Truncate(body)}", null);
        }

        return response;
    }

    /// <summary>
    /// 401/403 say our credentials or IP are wrong, not the payout: callers throw
    /// <see cref="ProviderUnavailableException"/> so payouts wait for the fix instead of failing.
    /// </summary>
    public static bool IsAuthFailure(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    public static async Task<T> ReadAsync<T>(
        HttpResponseMessage response, JsonSerializerOptions options, PayoutProvider provider, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(options, cancellationToken)
                   ?? throw new JsonException("empty body");
        }
        catch (JsonException e)
        {
            // A 2xx we cannot read may still mean the provider acted.
            throw new ProviderOutcomeUnknownException(provider, $"unreadable answer from {response.RequestMessage?.RequestUri}: {e.Message}", e);
        }
    }

    public static async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        Truncate(await response.Content.ReadAsStringAsync(cancellationToken));

    /// <summary>
    /// A refusal's body: parsed into the provider's documented error shape when it has that shape,
    /// and as (truncated) text either way, so an undocumented body still reaches the message.
    /// </summary>
    public static async Task<(T? Error, string Text)> ReadErrorAsync<T>(
        HttpResponseMessage response, JsonSerializerOptions options, CancellationToken cancellationToken)
        where T : class
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return (JsonSerializer.Deserialize<T>(text, options), Truncate(text));
        }
        catch (JsonException)
        {
            return (null, Truncate(text));
        }
    }

    private static ProviderException Failure(PayoutProvider provider, bool changesState, string message, Exception? inner) =>
        changesState
            ? new ProviderOutcomeUnknownException(provider, message, inner)
            : new ProviderUnavailableException(provider, message, inner);

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";
}
