using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Payouts.Bus.Sandbox;

/// <summary>
/// The four simulated providers on one loopback web server, the ledger of what they paid, and
/// the clock that moves their payouts along and sends their webhooks.
/// </summary>
public sealed class ProviderSandbox : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReadOnlyList<SimulatedProvider> _providers;
    private readonly SandboxOptions _options;
    private readonly SandboxWebhooks _webhooks;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly FaultCounter _errors = new();
    private readonly FaultCounter _lostAnswers = new();
    private readonly RecentLog<SandboxApiCall> _calls = new();
    private long _arrivals;
    private Task? _stepper;
    private bool _disposed;

    public ProviderSandbox(SandboxOptions options, ILoggerFactory? loggerFactory = null)
    {
        if (options.StepDelay <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), options.StepDelay, "Sandbox:StepDelay must be positive: it is the interval of the clock that moves payouts along.");
        options.Faults.Validate();
        _options = options;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Url.ToString());
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _logger = (loggerFactory ?? _app.Services.GetRequiredService<ILoggerFactory>()).CreateLogger("Payouts.Bus.Sandbox");
        _webhooks = new SandboxWebhooks(options, _logger);
        _app.Use(ApplyFaultsAsync);

        _providers =
        [
            new DfnsSandbox(options, Ledger),
            new TheDexSandbox(options, Ledger),
            new CalypsoSandbox(options, Ledger),
            new OxaPaySandbox(options, Ledger),
        ];
        foreach (var provider in _providers)
            provider.Map(_app);
        _app.MapGet("/ledger", () => Results.Json(Ledger.Transfers));
    }

    public SandboxLedger Ledger { get; } = new();

    /// <summary>The faults in force, read on every call: a test may switch them while the sandbox runs.</summary>
    public SandboxFaults Faults => _options.Faults;

    /// <summary>
    /// The latest provider API calls in the order they arrived, with what the sandbox answered. A call is
    /// logged once answered, which may be after the client has already sent its next one.
    /// </summary>
    public IReadOnlyList<SandboxApiCall> ApiCalls => _calls.Items.OrderBy(c => c.Arrival).ToList();

    /// <summary>The latest webhook delivery attempts, with what the receiver answered.</summary>
    public IReadOnlyList<SandboxWebhookDelivery> WebhookDeliveries => _webhooks.Deliveries;

    /// <summary>The address the sandbox listens on, known once started (a port of 0 picks a free one).</summary>
    public Uri BaseUrl => new(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        _stepper = Task.Run(() => StepAsync(_stopping.Token), CancellationToken.None);
        _logger.LogInformation("Provider sandbox listening on {Url}", BaseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _stopping.CancelAsync();
        if (_stepper is not null)
            await _stepper;
        await _webhooks.DisposeAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task StepAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.StepDelay);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                foreach (var provider in _providers)
                foreach (var payout in provider.Moving)
                {
                    List<OutgoingWebhook> outgoing;
                    lock (payout.Gate)
                    {
                        var before = (payout.Status, payout.TxHash);
                        outgoing = provider.Advance(payout).ToList();
                        if (before == (payout.Status, payout.TxHash))
                            provider.Rest(payout);
                    }
                    foreach (var webhook in outgoing)
                        _webhooks.Send(provider, webhook);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>The faults of <see cref="SandboxFaults"/>, in front of every provider API call, and the log of calls.</summary>
    private async Task ApplyFaultsAsync(HttpContext context, RequestDelegate next)
    {
        var provider = _providers.FirstOrDefault(p => context.Request.Path.StartsWithSegments(p.PathPrefix));
        var faults = _options.Faults;
        if (provider is null)
        {
            await next(context);
            return;
        }

        var arrival = Interlocked.Increment(ref _arrivals);
        if (faults.Latency > TimeSpan.Zero)
            await Task.Delay(faults.Latency, context.RequestAborted);
        if (_errors.Hit(faults.ErrorRate))
        {
            _logger.LogInformation("Fault: {Method} {Path} answered 503 without being handled", context.Request.Method, context.Request.Path);
            await provider.Unavailable().ExecuteAsync(context);
            Record(provider, context, arrival, answered: true);
            return;
        }
        if (!provider.IsCreate(context.Request) || !_lostAnswers.Hit(faults.UnknownOutcomeRate))
        {
            await next(context);
            Record(provider, context, arrival, answered: true);
            return;
        }

        // The create is handled and recorded, but its answer goes nowhere; the connection is dropped
        // once the client gives up (or the sandbox stops).
        context.Response.Body = Stream.Null;
        await next(context);
        _logger.LogInformation("Fault: {Path} recorded the payout and will not answer", context.Request.Path);
        Record(provider, context, arrival, answered: false);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            // The client gave up, or the sandbox is stopping.
        }
        context.Abort();
    }

    private void Record(SimulatedProvider provider, HttpContext context, long arrival, bool answered) =>
        _calls.Add(new SandboxApiCall(provider.Name, context.Request.Method, context.Request.Path, answered ? context.Response.StatusCode : null, DateTime.UtcNow, arrival));
}

/// <summary>
/// One call to a simulated provider's API: the status answered (null when the sandbox dropped the answer
/// on purpose), when it was logged, and its place in the order of arrival.
/// </summary>
public sealed record SandboxApiCall(string Provider, string Method, string Path, int? StatusCode, DateTime At, long Arrival);
