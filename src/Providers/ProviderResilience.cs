using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Providers;

/// <summary>
/// The Polly pipeline in front of one provider, shared by all its calls (the circuit and the rate
/// limit are per provider, not per request). From the outside in:
/// <list type="bullet">
/// <item>retry, with jitter, of calls that are safe to repeat (look-ups, quotes), and of any call the
/// provider refused unprocessed (503, 429) unless it changes a payout at a provider without an
/// idempotency key (TheDex, OxaPay): there a 503 may come from something between us and the provider
/// after it acted, and only a look-up can tell. A create or an action that timed out or failed
/// otherwise is never resent here: the consumer retries it, after a look-up;</item>
/// <item>circuit breaker: when most recent calls fail, calls stop for a while and fail at once, so
/// payouts wait (the consumers treat it as "unavailable") instead of piling on a provider that is down;</item>
/// <item>rate limit at the provider's limit, queueing callers rather than refusing them;</item>
/// <item>time-out of each attempt.</item>
/// </list>
/// </summary>
public sealed class ProviderResilience : IProviderHealth
{
    /// <summary>Set on a request by the client: true when sending it twice cannot pay twice or change anything.</summary>
    public static readonly HttpRequestOptionsKey<bool> SafeToRetry = new("Payouts.SafeToRetry");

    /// <summary>Set on a request by the client: true when it creates or changes a payout.</summary>
    public static readonly HttpRequestOptionsKey<bool> ChangesState = new("Payouts.ChangesState");

    internal static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("Payouts.Request");

    private readonly Dictionary<PayoutProvider, ResiliencePipeline<HttpResponseMessage>> _pipelines = [];
    private readonly Dictionary<PayoutProvider, CircuitBreakerStateProvider> _circuits = [];

    private readonly ProvidersOptions _options;
    private readonly ILogger _logger;

    public ProviderResilience(IOptions<ProvidersOptions> options, ILogger<ProviderResilience> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public ResiliencePipeline<HttpResponseMessage> For(PayoutProvider provider, int requestsPerMinute)
    {
        lock (_pipelines)
        {
            if (!_pipelines.TryGetValue(provider, out var pipeline))
            {
                // Never disposed: a consumer still finishing while the host shuts down must not find
                // its provider's limiter gone (it did, and its message went to the error queue).
                var limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = requestsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    SegmentsPerWindow = 6,
                    QueueLimit = requestsPerMinute,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
                var circuit = new CircuitBreakerStateProvider();
                _circuits[provider] = circuit;
                _pipelines[provider] = pipeline = Build(provider, _options, limiter, circuit, _logger);
            }
            return pipeline;
        }
    }

    /// <summary>Available unless its circuit is open (a provider not called yet is available).</summary>
    public bool IsAvailable(PayoutProvider provider)
    {
        lock (_pipelines)
            return !_circuits.TryGetValue(provider, out var circuit) || circuit.CircuitState is not (CircuitState.Open or CircuitState.Isolated);
    }

    private static ResiliencePipeline<HttpResponseMessage> Build(PayoutProvider provider, ProvidersOptions options, RateLimiter limiter,
        CircuitBreakerStateProvider circuit, ILogger logger)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        var keyless = !ProviderProfiles.For(provider).HasIdempotencyKey;
        if (options.RetryAttempts > 0)
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.RetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)
                    && (IsSafeToRetry(args.Context) || (WasNotProcessed(args.Outcome) && !(keyless && Changes(args.Context))))),
                OnRetry = args =>
                {
                    logger.LogInformation("{Provider}: sending the call again (attempt {Attempt}) after {Outcome}",
                        provider, args.AttemptNumber + 2, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
            });
        return pipeline
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = (double)options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                StateProvider = circuit,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                OnOpened = args =>
                {
                    logger.LogError("{Provider}: circuit opened for {Duration} after repeated failures (last: {Outcome}); payouts wait",
                        provider, args.BreakDuration, Describe(args.Outcome));
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    logger.LogWarning("{Provider}: circuit closed, calls flow again", provider);
                    return ValueTask.CompletedTask;
                },
            })
            .AddRateLimiter(limiter)
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    private static bool IsSafeToRetry(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestKey, out var request) && request.Options.TryGetValue(SafeToRetry, out var safe) && safe;

    private static bool Changes(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestKey, out var request) && request.Options.TryGetValue(ChangesState, out var changes) && changes;

    /// <summary>
    /// 503 and 429 say the provider did not take the request at all (ProviderHttp treats them so), so
    /// even a create, or a single-use Dfns challenge answer, may be sent again; a time-out or a 500 may not.
    /// </summary>
    private static bool WasNotProcessed(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests;

    /// <summary>Failures that say nothing about the payout: the provider or the path to it is in trouble.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout,
        _ => false,
    };

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception?.GetType().Name ?? $"HTTP {(int?)outcome.Result?.StatusCode}";
}

/// <summary>Runs each provider request through its provider's <see cref="ProviderResilience"/> pipeline.</summary>
internal sealed class ProviderResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ProviderResilience.RequestKey, request);
        try
        {
            return await pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Handler.SendToProviderAsync(state.Request, ctx.CancellationToken)),
                context, (Handler: this, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendToProviderAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
