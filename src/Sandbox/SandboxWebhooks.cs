using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Payouts.Bus.Sandbox;

/// <summary>One attempt to deliver a webhook, as the sandbox saw it: the status the receiver answered, or null when it did not answer.</summary>
public sealed record SandboxWebhookDelivery(string Provider, Uri Url, int Attempt, int? StatusCode, DateTime At);

/// <summary>
/// Sends the simulated providers' webhooks like the providers do: anything but a 200 is a failure and
/// is tried again, up to the provider's number of attempts, each retry built by the provider (Dfns
/// gives a retry a new event id that names the first). Faults add duplicates and delays.
/// </summary>
internal sealed class SandboxWebhooks(SandboxOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConcurrentDictionary<Task, byte> _sending = new();
    private readonly RecentLog<SandboxWebhookDelivery> _deliveries = new();
    private readonly CancellationTokenSource _stopping = new();

    public IReadOnlyList<SandboxWebhookDelivery> Deliveries => _deliveries.Items;

    public void Send(SimulatedProvider provider, OutgoingWebhook webhook)
    {
        var copies = options.Faults.DuplicateWebhooks ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            var sending = Task.Run(() => DeliverAsync(provider, webhook, _stopping.Token));
            _sending.TryAdd(sending, 0);
            sending.ContinueWith(t => _sending.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_sending.Keys);
        _http.Dispose();
        _stopping.Dispose();
    }

    private async Task DeliverAsync(SimulatedProvider provider, OutgoingWebhook first, CancellationToken stopping)
    {
        try
        {
            if (options.Faults.WebhookDelay > TimeSpan.Zero)
                await Task.Delay(Random.Shared.NextDouble() * options.Faults.WebhookDelay, stopping);
            for (var attempt = 1; attempt <= provider.WebhookAttempts; attempt++)
            {
                if (attempt > 1)
                    await Task.Delay((attempt - 1) * options.WebhookRetryDelay, stopping);
                var status = await PostAsync(attempt == 1 ? first : provider.Redeliver(first, attempt), stopping);
                _deliveries.Add(new SandboxWebhookDelivery(provider.Name, first.Url, attempt, status, DateTime.UtcNow));
                if (status == 200)
                    return;
                logger.LogWarning("{Provider} webhook to {Url}, attempt {Attempt} of {Attempts}, answered {Status}",
                    provider.Name, first.Url, attempt, provider.WebhookAttempts, status?.ToString() ?? "nothing");
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The sandbox is stopping; a provider would go on trying, but it is gone.
        }
    }

    private async Task<int?> PostAsync(OutgoingWebhook webhook, CancellationToken stopping)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(webhook.Body, System.Text.Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in webhook.Headers)
            request.Headers.TryAddWithoutValidation(name, value);
        try
        {
            using var response = await _http.SendAsync(request, stopping);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
        {
            return null;
        }
    }
}

/// <summary>The latest entries of a log that tests and operators read; older ones are dropped so a long-running sandbox does not grow.</summary>
internal sealed class RecentLog<T>
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<T> _entries = new();

    public IReadOnlyList<T> Items => _entries.ToArray();

    public void Add(T entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Capacity)
            _entries.TryDequeue(out _);
    }
}
