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
    private readonly HttpClient _webhooks = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private Task? _stepper;
    private bool _disposed;

    public ProviderSandbox(SandboxOptions options, ILoggerFactory? loggerFactory = null)
    {
        if (options.StepDelay <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), options.StepDelay, "Sandbox:StepDelay must be positive: it is the interval of the clock that moves payouts along.");
        _options = options;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Url.ToString());
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _logger = (loggerFactory ?? _app.Services.GetRequiredService<ILoggerFactory>()).CreateLogger("Payouts.Bus.Sandbox");

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
        await _app.DisposeAsync();
        _webhooks.Dispose();
        _stopping.Dispose();
    }

    private async Task StepAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.StepDelay);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var outgoing = new List<OutgoingWebhook>();
                foreach (var provider in _providers)
                foreach (var payout in provider.All)
                    lock (payout.Gate)
                        outgoing.AddRange(provider.Advance(payout).ToList());

                await Task.WhenAll(outgoing.Select(w => SendAsync(w, stopping)));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task SendAsync(OutgoingWebhook webhook, CancellationToken stopping)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(webhook.Body, System.Text.Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in webhook.Headers)
            request.Headers.TryAddWithoutValidation(name, value);
        try
        {
            using var response = await _webhooks.SendAsync(request, stopping);
            if (!response.IsSuccessStatusCode)
                _logger.LogWarning("Webhook to {Url} answered {Status}", webhook.Url, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
        {
            _logger.LogWarning("Webhook to {Url} failed: {Reason}", webhook.Url, e.Message);
        }
    }
}
