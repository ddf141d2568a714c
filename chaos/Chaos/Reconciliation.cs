using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Payouts.Bus.Contracts;
using Payouts.Bus.Sandbox;

namespace Payouts.Bus.Chaos;

/// <summary>
/// The end of a run: the processor's database, the events upstream heard and the sandbox's ledger, set
/// side by side. Every figure named <c>must be 0</c> counts a way money could have gone wrong.
/// </summary>
public sealed class Reconciliation
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly List<(string Name, int Count, string? Example)> _mismatches = [];
    private readonly List<string> _lines = [];

    public bool Clean => _mismatches.All(m => m.Count == 0);

    public static async Task<Reconciliation> RunAsync(PayoutPlan plan, Upstream upstream, string database, Uri sandbox, string virtualHost, int injectedPoison)
    {
        var report = new Reconciliation();
        var rows = await ReadPayoutsAsync(database, plan);
        using var http = new HttpClient();
        var transfers = await http.GetFromJsonAsync<List<SandboxTransfer>>(new Uri(sandbox, "ledger"), Web) ?? [];
        var errors = await ErrorQueuesAsync(virtualHost);

        // One record per externalId is expected; the first stands for it, the others are counted below.
        var stored = rows.GroupBy(r => r.ExternalId).ToDictionary(g => g.Key, g => g.First());
        var byId = rows.ToDictionary(r => r.Id);
        var paid = transfers.Where(t => t.ClientKey is not null && Guid.TryParse(t.ClientKey, out var id) && byId.ContainsKey(id))
            .GroupBy(t => Guid.Parse(t.ClientKey!)).ToDictionary(g => g.Key, g => g.ToList());

        report._lines.Add($"payouts requested        {plan.Payouts.Count} (and {plan.Repeats.Count} repeats of an earlier externalId, {plan.Repeats.Count(r => r.OtherContent)} of them with other content)");
        report._lines.Add($"ended, by state          {string.Join(", ", stored.Values.GroupBy(p => p.State).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}");

        StoredPayout? Row(PlannedPayout p) => stored.GetValueOrDefault(p.Request.ExternalId);
        report.Must("lost (not ended)", plan.Payouts.Where(p => Row(p) is not { Terminal: true }), p => $"{p.Request.ExternalId}: {Row(p)?.State ?? "no record"}");
        report.Must("two payouts for one externalId", rows.GroupBy(r => r.ExternalId).Where(g => g.Count() > 1), g => $"{g.Key}: {string.Join(", ", g.Select(r => r.Id))}");
        report.Must("paid twice", paid.Where(t => t.Value.Count > 1), t => $"{byId[t.Key].ExternalId}: {string.Join(", ", t.Value.Select(x => x.Reference))}");
        report.Must("paid but not Completed", paid.Keys.Where(id => byId[id].State != "Completed"), id => $"{byId[id].ExternalId}: {byId[id].State}");
        report.Must("Completed but not paid", rows.Where(r => r.State == "Completed" && !paid.ContainsKey(r.Id)), r => r.ExternalId);
        // Requests that share an externalId race: whichever the processor committed first made the payout,
        // so the amount asked is that request's.
        var requests = plan.Payouts.Select(p => p.Request).Concat(plan.Repeats.Select(r => r.Request)).ToDictionary(r => r.PayoutId);
        decimal Asked(Guid payoutId) => requests.TryGetValue(payoutId, out var request) ? request.Amount.Amount : -1;
        report.Must("amount differs from the ledger", paid.Where(t => t.Value.Any(x => x.Amount != Asked(t.Key))),
            t => $"{byId[t.Key].ExternalId}: {t.Value[0].Amount} paid, {Asked(t.Key)} asked");
        report.Must("downgraded (left an ended state)", rows.Where(r => r.Downgraded), r => r.ExternalId);
        report.Must("ended otherwise than planned", plan.Payouts.Where(p => Row(p) is { Terminal: true } row && row.State != p.Expected),
            p => $"{p.Request.ExternalId}: {Row(p)!.State}, planned {p.Expected}");

        var terminalHeard = plan.Payouts.ToDictionary(p => p.Request.ExternalId, p => upstream.Lifecycle(p.Request.ExternalId)
            .Where(e => Upstream.TerminalEvents.Any(t => e.What.StartsWith(t, StringComparison.Ordinal))).ToList());
        report.Must("ended without a terminal event heard", plan.Payouts.Where(p => terminalHeard[p.Request.ExternalId].Count == 0 && Row(p) is { Terminal: true }), p => p.Request.ExternalId);
        report.Must("two different terminal events", terminalHeard.Where(h => h.Value.Select(e => e.What).Distinct().Count() > 1), h => $"{h.Key}: {string.Join(", ", h.Value.Select(e => e.What))}");
        report.Must("terminal event unlike the record", plan.Payouts.Where(p => terminalHeard[p.Request.ExternalId] is [var first, ..] && !first.What.StartsWith(Row(p)?.State ?? "?", StringComparison.Ordinal)),
            p => p.Request.ExternalId);
        report.Must("terminal event published twice (new message id)", terminalHeard.Where(h => h.Value.Select(e => e.MessageId).Distinct().Count() > 1), h => h.Key);
        var copies = terminalHeard.Values.Sum(events => events.Count - events.Select(e => e.MessageId).Distinct().Count());
        report._lines.Add($"terminal events          {terminalHeard.Values.Count(e => e.Count > 0)} payouts heard ending; redelivered copies of one message {copies} (at-least-once: subscribers drop them by message id)");

        // Every other request for an externalId is answered by the one that made the payout: as that payout
        // when its content is the same, refused as a conflict when it is not.
        var repeated = plan.Payouts.Select(p => (Payout: p, Requests: plan.Repeats.Where(r => r.Of == p).Select(r => r.Request).Prepend(p.Request).ToList()))
            .Where(x => x.Requests.Count > 1).ToList();
        report.Must("repeat not answered as its content requires", repeated.Where(x => Row(x.Payout) is not { } row
                || x.Requests.All(r => r.PayoutId != row.Id)
                || x.Requests.Where(r => r.PayoutId != row.Id).Any(r => !upstream.Answers(r.PayoutId).Any(a => a.What == (r.Amount == requests[row.Id].Amount
                    ? $"AlreadyRequested {row.Id}"
                    : "Rejected (external_id_conflict)")))),
            x => x.Payout.Request.ExternalId);

        var errorTotal = errors.Sum(e => e.Messages);
        report._lines.Add($"dead letters             {(errors.Count == 0 ? "none" : string.Join(", ", errors.Select(e => $"{e.Queue} {e.Messages}")))} (the injected poison: {injectedPoison})");
        report._mismatches.Add(("dead letters beyond the injected poison", Math.Max(0, errorTotal - injectedPoison), null));
        report._mismatches.Add(("injected poison not dead-lettered", Math.Max(0, injectedPoison - errorTotal), null));
        return report;
    }

    public void Print()
    {
        foreach (var line in _lines)
            Console.WriteLine($"  {line}");
        foreach (var (name, count, example) in _mismatches)
            Console.WriteLine($"  {name,-48} {count}{(count == 0 ? "" : $"   MISMATCH, e.g. {example}")}");
    }

    private void Must<T>(string name, IEnumerable<T> wrong, Func<T, string> describe)
    {
        var list = wrong.ToList();
        _mismatches.Add((name, list.Count, list.Count == 0 ? null : describe(list[0])));
    }

    private sealed record StoredPayout(Guid Id, string ExternalId, string State, bool Terminal, bool Downgraded);

    /// <summary>The run's payouts as the processor recorded them, with whether the history ever left an ended state.</summary>
    private static async Task<List<StoredPayout>> ReadPayoutsAsync(string database, PayoutPlan plan)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT correlation_id, external_id, current_state, history::text FROM payout_saga WHERE external_id LIKE @prefix", connection);
        read.Parameters.AddWithValue("prefix", plan.ExternalIdPrefix + "%");
        await using var rows = await read.ExecuteReaderAsync();
        var payouts = new List<StoredPayout>();
        while (await rows.ReadAsync())
        {
            var history = JsonSerializer.Deserialize<List<PayoutHistoryEntry>>(rows.GetString(3), Web) ?? [];
            var firstEnd = history.FindIndex(h => IsTerminal(h.State));
            var downgraded = firstEnd >= 0 && history.Skip(firstEnd).Any(h => h.State != history[firstEnd].State);
            var state = rows.GetString(2);
            payouts.Add(new StoredPayout(rows.GetGuid(0), rows.GetString(1), state, IsTerminal(state), downgraded));
        }
        return payouts;
    }

    /// <summary>How many of the plan's externalIds have a payout in an ended state.</summary>
    public static async Task<int> EndedAsync(string database, PayoutPlan plan)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(DISTINCT external_id) FROM payout_saga WHERE external_id LIKE @prefix AND current_state = ANY(@ended)", connection);
        count.Parameters.AddWithValue("prefix", plan.ExternalIdPrefix + "%");
        count.Parameters.AddWithValue("ended", Upstream.TerminalEvents);
        return (int)(long)(await count.ExecuteScalarAsync())!;
    }

    private static bool IsTerminal(string state) => Upstream.TerminalEvents.Contains(state);

    /// <summary>Every <c>_error</c> queue of the run's virtual host and what it holds, as <c>rabbitmqctl</c> tells it.</summary>
    public static async Task<List<(string Queue, int Messages)>> ErrorQueuesAsync(string virtualHost)
    {
        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-q", "list_queues", "-p", virtualHost, "name", "messages" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl list_queues exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', ' '))
            .Where(f => f.Length >= 2 && f[0].EndsWith("_error", StringComparison.Ordinal) && int.TryParse(f[^1], out _))
            .Select(f => (f[0], int.Parse(f[^1], System.Globalization.CultureInfo.InvariantCulture)))
            .Where(q => q.Item2 > 0)
            .ToList();
    }
}
