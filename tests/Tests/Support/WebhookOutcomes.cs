using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Observability;

namespace Payouts.Bus.Tests.Support;

/// <summary>The outcomes (<c>accepted</c>, <c>ignored</c>, <c>rejected</c>, <c>skipped_step</c>) the host counts in <c>payouts.webhooks</c> while this listens.</summary>
public sealed class WebhookOutcomes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string> _outcomes = new();

    public WebhookOutcomes(IServiceProvider services)
    {
        var meter = services.GetRequiredService<PayoutsMetrics>().Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter && instrument.Name == "payouts.webhooks")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "outcome")
                    _outcomes.Enqueue((string)tag.Value!);
        });
        _listener.Start();
    }

    public IReadOnlyList<string> All => [.. _outcomes];

    public void Dispose() => _listener.Dispose();
}
