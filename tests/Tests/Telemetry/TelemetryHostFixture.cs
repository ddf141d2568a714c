using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Observability;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Telemetry;

/// <summary>
/// A host of its own, so that its figures are only this collection's: gauges read every 200 ms,
/// every log entry captured with its scopes, and an OTLP/HTTP collector stand-in on loopback that
/// keeps what the OpenTelemetry exporters send.
/// </summary>
public sealed class TelemetryHostFixture : PayoutsHostFixture
{
    private WebApplication? _collector;

    public CapturedLogs Logs { get; } = new();

    /// <summary>Bodies received by the collector stand-in, by path (<c>/v1/traces</c>, <c>/v1/metrics</c>).</summary>
    public ConcurrentQueue<(string Path, byte[] Body)> Exported { get; } = new();

    public PayoutsMetrics Metrics => Services.GetRequiredService<PayoutsMetrics>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
    }

    protected override async Task<IReadOnlyDictionary<string, string>> PrepareAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _collector = builder.Build();
        _collector.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Exported.Enqueue((request.Path, body.ToArray()));
            return Results.Ok();
        });
        await _collector.StartAsync();
        return new Dictionary<string, string>
        {
            ["Telemetry:OtlpEndpoint"] = _collector.Urls.Single().TrimEnd('/') + "/",
            ["Telemetry:ExportInterval"] = "00:00:01",
            ["Telemetry:SnapshotInterval"] = "00:00:00.200",
        };
    }

    protected override async Task CleanUpAsync()
    {
        if (_collector is not null)
            await _collector.DisposeAsync();
    }
}

/// <summary>
/// Runs alone: every host and provider client in this process has a meter named <c>Payouts.Bus</c>,
/// and OpenTelemetry listens by name, so another one created and disposed meanwhile (the provider
/// contract tests make dozens) took this host's instruments out of the OTLP export.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryHostFixture>
{
    public const string Name = "telemetry";
}

/// <summary>Every log entry of the host, rendered, with the scopes it was written in.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, LogLevel Level, string Message, string? Exception, IReadOnlyList<object?> Scopes)
    {
        /// <summary>The PayoutId of any scope the entry was written in.</summary>
        public IEnumerable<object> ScopePayoutIds => Scopes.OfType<IEnumerable<KeyValuePair<string, object>>>()
            .SelectMany(s => s).Where(kv => kv.Key == "PayoutId").Select(kv => kv.Value);

        public string Everything => $"{Message} {Exception} {string.Join(' ', Scopes.OfType<IEnumerable<KeyValuePair<string, object>>>().SelectMany(s => s).Select(kv => $"{kv.Key}={kv.Value}"))}";
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logs._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<object?>();
            logs._scopes.ForEachScope((scope, list) => list.Add(scope), scopes);
            // Structured state counts too: a secret in a template argument is as bad as in the text.
            var arguments = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => p.Value)) : "";
            logs.Entries.Enqueue(new LogEntry(category, logLevel, $"{formatter(state, exception)} {arguments}", exception?.ToString(), scopes));
        }
    }
}
