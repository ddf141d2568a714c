using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Payouts.Bus.Observability;
using Payouts.Bus.Sandbox;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryHostFixture host)
{
    [Fact]
    public async Task One_payout_is_one_trace_from_request_through_provider_calls_and_webhooks_to_the_terminal_event()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => PayoutsTelemetry.TracedSources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        // Waiting is done on the spans alone: a GET /payouts/{id} would start traces of its own.
        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("calypso"));

        var request = await Eventually.Until(() => Task.FromResult(spans.FirstOrDefault(s =>
                s.Source.Name == "Microsoft.AspNetCore" && Equals(s.GetTagItem(PayoutsTelemetry.Tags.PayoutId), payoutId))),
            s => s is not null, "the span of POST /payouts");
        var trace = request!.TraceId;
        // The sandbox's webhooks are handed to the saga under a span that continues the payout's trace.
        await Eventually.Until(() => Task.FromResult(spans.Where(s => s.TraceId == trace).ToList()),
            inTrace => inTrace.Any(s => s.DisplayName == "Calypso webhook") && inTrace.Any(MentionsPayoutCompleted),
            "the webhook and the terminal event in the payout's trace");

        var ours = spans.Where(s => Equals(s.GetTagItem(PayoutsTelemetry.Tags.PayoutId), payoutId)).ToList();
        Assert.All(ours, s => Assert.Equal(trace, s.TraceId));
        var inTrace = spans.Where(s => s.TraceId == trace).ToList();
        Assert.Contains(inTrace, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer);
        var providerCall = Assert.Single(inTrace, s => s.Source.Name == PayoutsTelemetry.Name && (string?)s.GetTagItem(PayoutsTelemetry.Tags.Operation) == "POST /calypso/api/v1/payout/create");
        Assert.Equal("Calypso", providerCall.GetTagItem(PayoutsTelemetry.Tags.Provider));
        Assert.Contains(inTrace, s => s.Events.Any(e => e.Name == "payout.transition" && Equals(e.Tags.FirstOrDefault(t => t.Key == PayoutsTelemetry.Tags.State).Value, "Completed")));
        // No span carries a credential.
        var options = new SandboxOptions();
        string[] secrets = [options.CalypsoSecret, options.CalypsoPublicKey, options.CalypsoWebhookSecret];
        Assert.DoesNotContain(inTrace.SelectMany(s => s.TagObjects), tag => secrets.Any(secret => tag.Value?.ToString()?.Contains(secret) == true));
    }

    [Fact]
    public async Task Metrics_count_transitions_terminal_times_provider_calls_webhooks_and_payouts_by_state()
    {
        var measurements = new ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        var meter = host.Metrics.Meter;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, Tags(tags))));
        listener.Start();

        var completed = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        var failing = PayoutsHostFixture.Sample("thedex");
        failing["destination"] = PayoutsHostFixture.FailingAddress;
        var failed = await host.RequestAsync(failing);
        await host.WaitForStatusAsync(completed, "Completed");
        await host.WaitForStatusAsync(failed, "Failed");
        using var forged = await host.Http.PostAsync("/webhooks/thedex", new StringContent("""{"id":"1","status":3}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        double Sum(string name, params (string Key, string Value)[] tags) =>
            measurements.Where(m => m.Name == name && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value))).Sum(m => m.Value);
        int Count(string name, params (string Key, string Value)[] tags) =>
            measurements.Count(m => m.Name == name && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)));

        var thedex = (PayoutsTelemetry.Tags.Provider, "TheDex");
        Assert.Equal(2, Sum("payouts.transitions", thedex, (PayoutsTelemetry.Tags.FromState, "Initial"), (PayoutsTelemetry.Tags.State, "Requested")));
        Assert.Equal(1, Sum("payouts.transitions", thedex, (PayoutsTelemetry.Tags.State, "Completed")));
        Assert.Equal(1, Sum("payouts.transitions", thedex, (PayoutsTelemetry.Tags.State, "Failed")));
        Assert.Equal(1, Count("payouts.duration", thedex, (PayoutsTelemetry.Tags.State, "Completed")));
        Assert.Equal(1, Count("payouts.duration", thedex, (PayoutsTelemetry.Tags.State, "Failed")));
        Assert.True(Count("payouts.provider.call.duration", thedex, (PayoutsTelemetry.Tags.Operation, "POST /thedex/api/v1/payouts/create"), (PayoutsTelemetry.Tags.Outcome, "ok")) >= 2,
            "each TheDex create is measured");
        Assert.Equal(0, Sum("payouts.provider.call.errors", thedex));
        Assert.Equal(1, Sum("payouts.webhooks", thedex, (PayoutsTelemetry.Tags.Outcome, "rejected")));
        Assert.True(Sum("payouts.webhooks", thedex, (PayoutsTelemetry.Tags.Outcome, "accepted")) >= 2, "the sandbox's callbacks are counted");

        // The gauges read the database, payouts in flight only (what ended is counted by the
        // transitions above, not by reading all of history), and exactly what the dashboard reads.
        var waiting = await host.RequestAsync(PayoutsHostFixture.Sample("dfns"));
        await host.WaitForStatusAsync(waiting, "AwaitingConfirmation");
        await Eventually.Until(async () =>
        {
            measurements.Clear();
            listener.RecordObservableInstruments();
            var dfns = (PayoutsTelemetry.Tags.Provider, "Dfns");
            var gauge = Sum("payouts.current", dfns, (PayoutsTelemetry.Tags.State, "AwaitingConfirmation"));
            var ended = Count("payouts.current", (PayoutsTelemetry.Tags.State, "Failed")) + Count("payouts.current", (PayoutsTelemetry.Tags.State, "Completed"));
            var data = await host.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/dashboard/data");
            var dashboard = data!["payouts"]!.AsArray().Where(c => (string?)c!["provider"] == "Dfns" && (string?)c["state"] == "AwaitingConfirmation").Sum(c => (int)c!["count"]!);
            return (gauge, ended, dashboard);
        }, f => f.gauge >= 1 && f.ended == 0 && f.gauge == f.dashboard, "payouts.current to count the Dfns payout awaiting confirmation, and no ended ones");
        Assert.Equal(1, Count("payouts.outbox.backlog"));
        Assert.Equal(1, Count("payouts.scheduled.pending"));
    }

    [Fact]
    public async Task Traces_and_metrics_are_exported_over_otlp_to_the_configured_collector()
    {
        await host.WaitForStatusAsync(await host.RequestAsync(PayoutsHostFixture.Sample("thedex")), "Completed");

        // What the collector has seen, said in a way a failure message can show.
        await Eventually.Until(() => Task.FromResult(new
            {
                Traces = host.Exported.Count(e => e.Path == "/v1/traces"),
                TracesWithPayoutId = host.Exported.Any(e => e.Path == "/v1/traces" && Contains(e.Body, "payout.id")),
                Metrics = host.Exported.Count(e => e.Path == "/v1/metrics"),
                MetricsWithTransitions = host.Exported.Any(e => e.Path == "/v1/metrics" && Contains(e.Body, "payouts.transitions")),
                MetricsWithGauge = host.Exported.Any(e => e.Path == "/v1/metrics" && Contains(e.Body, "payouts.current")),
            }),
            seen => seen.TracesWithPayoutId && seen.MetricsWithTransitions && seen.MetricsWithGauge,
            "spans and metrics at the collector", timeout: TimeSpan.FromSeconds(30));
        Assert.Contains(host.Exported, e => Contains(e.Body, "payouts-bus"));
    }

    [Fact]
    public async Task Logs_of_a_full_run_carry_the_payout_id_and_never_a_secret_or_signature()
    {
        var ids = new List<Guid>();
        foreach (var provider in new[] { "thedex", "calypso", "oxapay" })
            ids.Add(await host.RequestAsync(PayoutsHostFixture.Sample(provider)));
        foreach (var id in ids)
            await host.WaitForStatusAsync(id, "Completed");
        using var forged = await host.Http.PostAsync("/webhooks/calypso", new StringContent("""{"type":"PAYOUT_CONFIRMED"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        var entries = host.Logs.Entries.ToList();
        foreach (var id in ids)
        {
            var about = entries.Where(e => e.Message.Contains(id.ToString(), StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.NotEmpty(about);
            Assert.All(about, e => Assert.True(e.ScopePayoutIds.Any(s => Equals(s, id)),
                $"[{e.Category}] '{e.Message}' is about payout {id} but has no PayoutId scope"));
        }

        var sandbox = new SandboxOptions();
        string[] secrets =
        [
            sandbox.DfnsApiToken, sandbox.DfnsWebhookSecret, sandbox.DfnsCredentialPrivateKey.Split('\n')[1], sandbox.TheDexApiKey, sandbox.TheDexApiSecret,
            sandbox.CalypsoPublicKey, sandbox.CalypsoSecret, sandbox.CalypsoWebhookSecret, sandbox.OxaPayPayoutApiKey,
        ];
        foreach (var entry in entries)
        {
            var text = entry.Everything;
            Assert.DoesNotContain(secrets, secret => text.Contains(secret, StringComparison.Ordinal));
            // Signatures are HMAC-SHA256/512 digests: 64 or 128 hex digits, or their base64.
            Assert.DoesNotMatch(@"(?i)\bsha256=|\b[0-9a-f]{128}\b|[A-Za-z0-9+/]{86}==", text);
        }
    }

    private static bool MentionsPayoutCompleted(Activity span) =>
        span.TagObjects.Any(t => t.Value?.ToString()?.Contains("payout-completed", StringComparison.OrdinalIgnoreCase) == true)
        || span.DisplayName.Contains("payout-completed", StringComparison.OrdinalIgnoreCase);

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
            result[tag.Key] = tag.Value;
        return result;
    }
}
