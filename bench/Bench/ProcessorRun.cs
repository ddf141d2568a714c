using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Host;

namespace Payouts.Bus.Bench;

/// <summary>
/// The processor as production runs it (RabbitMQ transport, PostgreSQL, transactional outbox), in
/// this process with the embedded sandbox answering at once, fed by an upstream bus of its own that
/// publishes <see cref="RequestPayout"/> and subscribes to the terminal events.
/// </summary>
public static class ProcessorRun
{
    private const string Destination = "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy";

    public static async Task<ProcessorResult> RunAsync(BenchOptions options)
    {
        var database = await BenchDatabase.CreateAsync(options.Postgres, "payouts_bench");
        var hostUrl = $"http://127.0.0.1:{FreePort()}";
        // Not Production: the in-process sandbox is refused there.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = hostUrl,
            ["Payouts:PublicUrl"] = hostUrl,
            ["Bus:Transport"] = "RabbitMq",
            ["ConnectionStrings:RabbitMq"] = options.RabbitMq,
            ["Bus:InternalMessageKey"] = "bench-internal-message-key-0123456789abcdef",
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Payouts"] = database.ConnectionString,
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:Url"] = $"http://127.0.0.1:{FreePort()}",
            // Providers answer at once; their payouts move along on a 10 ms clock (the sandbox's shortest sensible tick).
            ["Sandbox:StepDelay"] = "00:00:00.010",
            // The sandbox is not a provider to be gentle with: our own per-provider rate limit would
            // measure itself, not the processor.
            ["Providers:Dfns:RequestsPerMinute"] = "100000",
            ["Providers:TheDex:RequestsPerMinute"] = "100000",
            ["Providers:Calypso:RequestsPerMinute"] = "100000",
            ["Providers:OxaPay:RequestsPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("PAYOUTS_BENCH_LOG") ?? "Warning",
        });
        builder.AddPayoutsBus();
        await using var app = builder.Build();
        app.MapPayoutsBus();
        await app.StartAsync();

        var deliveries = new DeliveryCounter();
        app.Services.GetRequiredService<IBusControl>().ConnectReceiveObserver(deliveries);
        using var tracker = new TerminalTracker(options.Payouts, options.InFlight);
        var upstream = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(options.RabbitMq));
            cfg.MessageTopology.SetEntityNameFormatter(new BusEntityNames(cfg.MessageTopology.EntityNameFormatter));
            cfg.ReceiveEndpoint("bench-upstream", e =>
            {
                e.PrefetchCount = 64;
                e.Handler<PayoutCompleted>(c => tracker.Record(c.Message.PayoutId, "Completed"));
                e.Handler<PayoutFailed>(c => tracker.Record(c.Message.PayoutId, $"Failed ({c.Message.Code})"));
                e.Handler<PayoutRejected>(c => tracker.Record(c.Message.PayoutId, $"Rejected ({c.Message.Code})"));
            });
        });
        upstream.ConnectReceiveObserver(deliveries);
        await upstream.StartAsync();
        var commitsBefore = await database.CommitsAsync();

        using var progress = Progress.Start(() => $"{tracker.Terminal}/{options.Payouts} terminal, {tracker.Started} requested");
        var run = Guid.NewGuid().ToString("N")[..8];
        var stalledAfter = TimeSpan.FromSeconds(60);
        for (var i = 0; i < options.Payouts; i++)
        {
            var request = Request(run, i);
            await tracker.StartingAsync(request.PayoutId, stalledAfter);
            await upstream.Publish(request);
        }
        await tracker.AllTerminalAsync(stalledAfter);
        // A duplicate terminal event would arrive shortly after the first: give it the chance to.
        await Task.Delay(TimeSpan.FromSeconds(2));
        progress.Stop();

        await upstream.StopAsync();
        await app.StopAsync();
        var commits = await database.CommitsAsync(settled: true) - commitsBefore;
        return new ProcessorResult(options.Payouts, tracker, deliveries.Received, deliveries.Faulted, commits);
    }

    /// <summary>Providers in turn, each with an asset and amount its sandbox account can pay thousands of times.</summary>
    private static RequestPayout Request(string run, int i) => (i % 3) switch
    {
        0 => new RequestPayout(NewId.NextGuid(), $"bench-{run}-{i}", PayoutProvider.TheDex, new Money(12.5m, "USDT", "Tron"), Destination),
        1 => new RequestPayout(NewId.NextGuid(), $"bench-{run}-{i}", PayoutProvider.Calypso, new Money(10m, "USDT", "Tron"), Destination),
        _ => new RequestPayout(NewId.NextGuid(), $"bench-{run}-{i}", PayoutProvider.OxaPay, new Money(15m, "USDT", "Tron"), Destination),
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>When each payout was requested and how (and how often) it ended.</summary>
public sealed class TerminalTracker(int payouts, int inFlight) : IDisposable
{
    private readonly ConcurrentDictionary<Guid, long> _requestedAt = new();
    private readonly ConcurrentDictionary<Guid, TimeSpan> _latency = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly SemaphoreSlim _window = new(inFlight);
    private readonly TaskCompletionSource _allTerminal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _firstRequest;
    private long _lastTerminal;
    private int _started;
    private int _duplicates;
    private int _unknown;

    public int Started => _started;
    public int Terminal => _latency.Count;
    public int Duplicates => _duplicates;
    public int Unknown => _unknown;
    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;
    public IReadOnlyCollection<TimeSpan> Latencies => (IReadOnlyCollection<TimeSpan>)_latency.Values;
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_firstRequest, _lastTerminal);

    /// <summary>Waits for a free slot in the window; a slot frees only when a payout ends, so a long wait is a stall.</summary>
    public async Task StartingAsync(Guid payoutId, TimeSpan stalledAfter)
    {
        if (!await _window.WaitAsync(stalledAfter))
            throw Stalled(stalledAfter);
        var now = Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref _started) == 1)
            _firstRequest = now;
        _requestedAt[payoutId] = now;
    }

    public Task Record(Guid payoutId, string outcome)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_requestedAt.TryGetValue(payoutId, out var requestedAt))
        {
            Interlocked.Increment(ref _unknown);
            return Task.CompletedTask;
        }
        if (!_latency.TryAdd(payoutId, Stopwatch.GetElapsedTime(requestedAt, now)))
        {
            Interlocked.Increment(ref _duplicates);
            return Task.CompletedTask;
        }
        _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        Interlocked.Exchange(ref _lastTerminal, now);
        _window.Release();
        if (_latency.Count == payouts)
            _allTerminal.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>Waits for every payout to end; gives up when none has ended for <paramref name="stalledAfter"/>.</summary>
    public async Task AllTerminalAsync(TimeSpan stalledAfter)
    {
        var seen = -1;
        while (!_allTerminal.Task.IsCompleted)
        {
            if (Terminal == seen)
                throw Stalled(stalledAfter);
            seen = Terminal;
            await Task.WhenAny(_allTerminal.Task, Task.Delay(stalledAfter));
        }
    }

    private TimeoutException Stalled(TimeSpan stalledAfter) =>
        new($"No payout reached a terminal state for {stalledAfter.TotalSeconds}s: {Terminal} of {payouts} did.");

    public void Dispose() => _window.Dispose();
}

/// <summary>Every message either bus took from the broker.</summary>
public sealed class DeliveryCounter : IReceiveObserver
{
    private long _received;
    private long _faulted;

    public long Received => Interlocked.Read(ref _received);
    public long Faulted => Interlocked.Read(ref _faulted);

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        Interlocked.Increment(ref _received);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _faulted);
        return Task.CompletedTask;
    }
}
