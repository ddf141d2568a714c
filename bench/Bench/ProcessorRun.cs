using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Host;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Bench;

/// <summary>
/// The processor as production runs it (RabbitMQ transport, PostgreSQL, transactional outbox), in
/// this process with the embedded sandbox answering at once, fed by an upstream bus of its own that
/// publishes <see cref="RequestPayout"/> and subscribes to the terminal events. One host serves
/// every phase of a run: the warm-up, the closed loop and the open loop.
/// </summary>
public sealed class ProcessorRun : IAsyncDisposable
{
    private const string Destination = "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy";
    private static readonly TimeSpan StalledAfter = TimeSpan.FromSeconds(60);

    private readonly WebApplication _app;
    private readonly IBusControl? _upstream;
    private readonly HttpClient? _http;
    private readonly BenchDatabase? _database;
    /// <summary>The embedded run's SQLite file lives here, and goes with the run (each one left hundreds of MiB in /tmp).</summary>
    private readonly string? _sqliteDirectory;
    private readonly DeliveryCounter _deliveries;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly string _setup;
    private TerminalTracker? _tracker;
    private int _requested;

    /// <summary>The sends of the phase running: not awaited one by one, so that a slow send never holds back the next request.</summary>
    private readonly List<Task> _sends = [];

    private ProcessorRun(string setup, WebApplication app, IBusControl? upstream, HttpClient? http, BenchDatabase? database, string? sqliteDirectory,
        DeliveryCounter deliveries)
    {
        _setup = setup;
        _app = app;
        _upstream = upstream;
        _http = http;
        _database = database;
        _sqliteDirectory = sqliteDirectory;
        _deliveries = deliveries;
    }

    /// <summary>What the processor runs on, as printed with its figures.</summary>
    public static string Setup(BenchOptions options) => options.Embedded
        ? "the embedded default: SQLite file, in-memory bus, requests over HTTP; sandbox at zero latency"
        : "MassTransit on RabbitMQ + PostgreSQL, outbox; sandbox at zero latency";

    public static async Task<ProcessorRun> StartAsync(BenchOptions options)
    {
        var database = options.Embedded ? null : await BenchDatabase.CreateAsync(options.Postgres!, "payouts_bench");
        var sqliteDirectory = options.Embedded ? Directory.CreateTempSubdirectory("payouts-bench-").FullName : null;
        var hostUrl = $"http://127.0.0.1:{FreePort()}";
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = hostUrl,
            ["Payouts:PublicUrl"] = hostUrl,
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
        };
        if (options.Embedded)
        {
            // The defaults a user starts with, but for a fresh database file and a key of our own;
            // the per-client rate limit (100/s) would measure itself, like the providers' limits.
            settings["ConnectionStrings:Payouts"] = $"Data Source={Path.Combine(sqliteDirectory!, "payouts.db")}";
            settings["Auth:ApiKeys:bench:Key"] = BenchKey;
            settings["Auth:ApiKeys:bench:Scopes"] = "payouts:write payouts:read";
            settings["RateLimits:PerClientPerSecond"] = "100000";
            settings["RateLimits:PerClientBurst"] = "100000";
        }
        else
        {
            settings["Bus:Transport"] = "RabbitMq";
            settings["ConnectionStrings:RabbitMq"] = options.RabbitMq;
            settings["Bus:InternalMessageKey"] = "bench-internal-message-key-0123456789abcdef";
            settings["Database:Provider"] = "Postgres";
            settings["ConnectionStrings:Payouts"] = database!.ConnectionString;
        }
        // Not Production: the in-process sandbox is refused there.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPayoutsBus();
        var app = builder.Build();
        app.MapPayoutsBus();
        await app.StartAsync();

        var deliveries = new DeliveryCounter();
        var bus = app.Services.GetRequiredService<IBusControl>();
        bus.ConnectReceiveObserver(deliveries);
        ProcessorRun? run = null;
        void Subscribe(IReceiveEndpointConfigurator e)
        {
            e.Handler<PayoutCompleted>(c => run!.Record(c.Message.ExternalId, "Completed"));
            e.Handler<PayoutFailed>(c => run!.Record(c.Message.ExternalId, $"Failed ({c.Message.Code})"));
            e.Handler<PayoutRejected>(c => run!.Record(c.Message.ExternalId, $"Rejected ({c.Message.Code})"));
        }

        if (options.Embedded)
        {
            // The in-memory bus has no subscriber outside the process: the terminal events are heard on it.
            var endpoint = bus.ConnectReceiveEndpoint("bench-upstream", Subscribe);
            await endpoint.Ready;
            var http = new HttpClient { BaseAddress = new Uri(hostUrl) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BenchKey);
            return run = new ProcessorRun(Setup(options), app, null, http, null, sqliteDirectory, deliveries);
        }

        var upstream = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(options.RabbitMq!));
            cfg.MessageTopology.SetEntityNameFormatter(new BusEntityNames(cfg.MessageTopology.EntityNameFormatter));
            cfg.ReceiveEndpoint("bench-upstream", e =>
            {
                e.PrefetchCount = 64;
                Subscribe(e);
            });
        });
        upstream.ConnectReceiveObserver(deliveries);
        run = new ProcessorRun(Setup(options), app, upstream, null, database, null, deliveries);
        await upstream.StartAsync();
        return run;
    }

    private const string BenchKey = "pbk_bench_every_payout_scope_0123456789abcdef";

    /// <summary>Closed loop: at most <paramref name="inFlight"/> payouts open; the next is requested when one ends.</summary>
    public Task<ProcessorResult> RunClosedAsync(string phase, int payouts, int inFlight) =>
        RunAsync(phase, new TerminalTracker(payouts, inFlight), async (tracker, request) =>
        {
            await tracker.StartingAsync(request.ExternalId, Stopwatch.GetTimestamp(), StalledAfter);
            _sends.Add(SubmitAsync(request));
        });

    /// <summary>
    /// Open loop: payouts arrive at <paramref name="perSecond"/>, whether or not earlier ones have ended,
    /// as traffic from many clients does. Each one's latency counts from when it was due, so a
    /// processor that falls behind is not flattered by arrivals it delayed.
    /// </summary>
    public Task<ProcessorResult> RunOpenAsync(string phase, int payouts, double perSecond)
    {
        long? start = null;
        var n = 0;
        return RunAsync(phase, new TerminalTracker(payouts, inFlight: null), async (tracker, request) =>
        {
            start ??= Stopwatch.GetTimestamp();
            var due = start.Value + (long)(n++ / perSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait);
            await tracker.StartingAsync(request.ExternalId, due, StalledAfter);
            _sends.Add(SubmitAsync(request));
        });
    }

    /// <summary>Published on RabbitMQ as an upstream system does, or posted over HTTP with an API key on the embedded default.</summary>
    private async Task SubmitAsync(RequestPayout request)
    {
        if (_upstream is not null)
        {
            await _upstream.Publish(request);
            return;
        }
        using var response = await _http!.PostAsJsonAsync("/payouts", new
        {
            externalId = request.ExternalId,
            provider = request.Provider.ToString(),
            amount = request.Amount.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            currency = request.Amount.Currency,
            network = request.Amount.Network,
            destination = request.Destination,
        });
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /payouts answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<ProcessorResult> RunAsync(string phase, TerminalTracker tracker, Func<TerminalTracker, RequestPayout, Task> request)
    {
        using var _ = tracker;
        _tracker = tracker;
        var deliveredBefore = _deliveries.Received;
        var faultedBefore = _deliveries.Faulted;
        var byTypeBefore = _deliveries.ByType;
        var commitsBefore = _database is null ? 0 : await _database.CommitsAsync(settled: true);
        var payouts = tracker.Payouts;
        var cpuBefore = CpuTime();
        var peakMemory = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peakMemory = Math.Max(peakMemory, process.WorkingSet64);
                await Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None);
            }
        });
        using (var progress = Progress.Start(() => $"{phase}: {tracker.Terminal}/{payouts} terminal, {tracker.Started} requested"))
        {
            _sends.Clear();
            for (var i = 0; i < payouts; i++)
                await request(tracker, Request(_requested++));
            await Task.WhenAll(_sends);
            await tracker.AllTerminalAsync(StalledAfter);
            // A duplicate terminal event would arrive shortly after the first: give it the chance to.
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        await sampling.CancelAsync();
        await sampler;
        var cpuTime = CpuTime() - cpuBefore;
        // SQLite keeps no count of its commits.
        var commits = _database is null ? (long?)null : await _database.CommitsAsync(settled: true) - commitsBefore;
        var byType = _deliveries.ByType.ToDictionary(t => t.Key, t => t.Value - byTypeBefore.GetValueOrDefault(t.Key));
        return new ProcessorResult(phase, _setup, payouts, tracker, _deliveries.Received - deliveredBefore, _deliveries.Faulted - faultedBefore, byType, commits, peakMemory, cpuTime);
    }

    /// <summary>Adds <paramref name="count"/> payouts that ended long ago to the processor's database.</summary>
    public Task SeedFinishedPayoutsAsync(int count, int first = 1) => Database.SeedFinishedPayoutsAsync(count, first);

    public BenchDatabase Database => _database ?? throw new InvalidOperationException("Seeding needs PostgreSQL: not with --embedded.");

    /// <summary>How long one page of <c>GET /payouts</c> takes to read from the database (the median and the slowest of 21 readings).</summary>
    public async Task<(TimeSpan Median, TimeSpan Slowest)> TimeSearchAsync(PayoutSearchFilter filter, PayoutCursor? after)
    {
        var timings = new List<TimeSpan>();
        for (var i = 0; i < 21; i++)
        {
            await using var scope = _app.Services.CreateAsyncScope();
            var search = scope.ServiceProvider.GetRequiredService<PayoutSearch>();
            var started = Stopwatch.GetTimestamp();
            var page = await search.PageAsync(filter, 100, after, CancellationToken.None);
            timings.Add(Stopwatch.GetElapsedTime(started));
            if (page.Payouts.Count == 0)
                throw new InvalidOperationException($"The page for {filter} after {after} is empty: the benchmark would time nothing.");
        }
        return (timings.Order().ElementAt(timings.Count / 2), timings.Max());
    }

    /// <summary>How long one reading of the dashboard's and gauges' figures takes (the median of five).</summary>
    public async Task<TimeSpan> TimeOverviewAsync()
    {
        var timings = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            await using var scope = _app.Services.CreateAsyncScope();
            var overview = scope.ServiceProvider.GetRequiredService<PayoutsOverview>();
            var started = Stopwatch.GetTimestamp();
            await overview.SnapshotAsync(DateTime.UtcNow, TimeSpan.FromMinutes(10), CancellationToken.None);
            timings.Add(Stopwatch.GetElapsedTime(started));
        }
        return timings.Order().ElementAt(timings.Count / 2);
    }

    private Task Record(string externalId, string outcome) => _tracker?.Record(externalId, outcome) ?? Task.CompletedTask;

    /// <summary>Providers in turn, each with an asset and amount its sandbox account can pay thousands of times.</summary>
    private RequestPayout Request(int i) => (i % 3) switch
    {
        0 => new RequestPayout(NewId.NextGuid(), $"bench-{_run}-{i}", PayoutProvider.TheDex, new Money(12.5m, "USDT", "Tron"), Destination),
        1 => new RequestPayout(NewId.NextGuid(), $"bench-{_run}-{i}", PayoutProvider.Calypso, new Money(10m, "USDT", "Tron"), Destination),
        _ => new RequestPayout(NewId.NextGuid(), $"bench-{_run}-{i}", PayoutProvider.OxaPay, new Money(15m, "USDT", "Tron"), Destination),
    };

    public async ValueTask DisposeAsync()
    {
        if (_upstream is not null)
            await _upstream.StopAsync();
        _http?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        if (_sqliteDirectory is not null)
            Directory.Delete(_sqliteDirectory, recursive: true);
    }

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>When each payout was requested and how (and how often) it ended, by external id (known before an HTTP caller learns the payout id).</summary>
public sealed class TerminalTracker(int payouts, int? inFlight) : IDisposable
{
    private readonly ConcurrentDictionary<string, long> _requestedAt = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _latency = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly SemaphoreSlim? _window = inFlight is { } window ? new(window) : null;
    private readonly TaskCompletionSource _allTerminal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _firstRequest;
    private long _lastTerminal;
    private int _started;
    private int _duplicates;
    private int _unknown;

    public int Payouts => payouts;
    public int Started => _started;
    public int Terminal => _latency.Count;
    public int Duplicates => _duplicates;
    public int Unknown => _unknown;
    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;
    public IReadOnlyCollection<TimeSpan> Latencies => (IReadOnlyCollection<TimeSpan>)_latency.Values;
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_firstRequest, _lastTerminal);

    /// <summary>
    /// In a closed loop, waits for a free slot in the window (a slot frees only when a payout ends,
    /// so a long wait is a stall); then notes the payout as requested at <paramref name="at"/>.
    /// </summary>
    public async Task StartingAsync(string externalId, long at, TimeSpan stalledAfter)
    {
        if (_window is not null && !await _window.WaitAsync(stalledAfter))
            throw Stalled(stalledAfter);
        if (Interlocked.Increment(ref _started) == 1)
            _firstRequest = at;
        _requestedAt[externalId] = at;
    }

    public Task Record(string externalId, string outcome)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_requestedAt.TryGetValue(externalId, out var requestedAt))
        {
            Interlocked.Increment(ref _unknown);
            return Task.CompletedTask;
        }
        if (!_latency.TryAdd(externalId, Stopwatch.GetElapsedTime(requestedAt, now)))
        {
            Interlocked.Increment(ref _duplicates);
            return Task.CompletedTask;
        }
        _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        Interlocked.Exchange(ref _lastTerminal, now);
        _window?.Release();
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

    public void Dispose() => _window?.Dispose();
}

/// <summary>Every message either bus took from the broker.</summary>
public sealed class DeliveryCounter : IReceiveObserver
{
    private readonly ConcurrentDictionary<string, long> _byType = new();
    private long _received;
    private long _faulted;

    public long Received => Interlocked.Read(ref _received);
    public long Faulted => Interlocked.Read(ref _faulted);

    /// <summary>Messages consumed so far, by message type: where a payout's messages go.</summary>
    public IReadOnlyDictionary<string, long> ByType => new Dictionary<string, long>(_byType);

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        Interlocked.Increment(ref _received);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class
    {
        _byType.AddOrUpdate(TypeName(typeof(T)), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    private static string TypeName(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(",", type.GetGenericArguments().Select(TypeName))}>" : type.Name;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _faulted);
        return Task.CompletedTask;
    }
}
