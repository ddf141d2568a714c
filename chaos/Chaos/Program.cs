using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Payouts.Bus.Chaos;
using Payouts.Bus.Sandbox;
using RabbitMQ.Client;

// Several processors on one RabbitMQ + PostgreSQL, a sandbox with its faults on as a process of its own,
// a stream of payouts over the four providers, and processors killed and restarted, servers restarted,
// while it runs. Then the processor's records, the events heard and the sandbox's ledger are
// reconciled; any mismatch fails the run. Run it with ./chaos.sh.
var options = ChaosOptions.Parse(args);
var run = DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
var logs = Directory.CreateTempSubdirectory($"payouts-chaos-{run}-").FullName;
Console.WriteLine($"Payouts.Bus chaos run {run}: {options.Payouts} payouts, {options.Processors} processors, a SIGKILL every {options.KillEvery.TotalSeconds:0} s, " +
    $"{Environment.ProcessorCount} cores; logs in {logs}");

var database = await CreateDatabaseAsync(options.Postgres, $"payouts_chaos_{run}");
var virtualHost = Uri.UnescapeDataString(new Uri(options.RabbitMq).AbsolutePath.TrimStart('/'));
var sandboxUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
var proxyUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
var defaults = new SandboxOptions();

await using var sandbox = new ChildProcess("sandbox", options.SandboxDll, sandboxUrl, new Uri("/ledger", UriKind.Relative), new Dictionary<string, string>
{
    ["Sandbox:Url"] = sandboxUrl.ToString(),
    ["Sandbox:StepDelay"] = "00:00:00.200",
    ["Sandbox:DfnsWebhookUrl"] = new Uri(proxyUrl, "webhooks/dfns").ToString(),
    ["Sandbox:CalypsoWebhookUrl"] = new Uri(proxyUrl, "webhooks/calypso").ToString(),
    ["Sandbox:OxaPayHistoryPageLimit"] = "50",
    ["Sandbox:FailingDestinations:0"] = PayoutPlan.FailingTron,
    ["Sandbox:FailingDestinations:1"] = PayoutPlan.FailingPaymentInstructions,
    ["Sandbox:Faults:Latency"] = "00:00:00.005",
    ["Sandbox:Faults:ErrorRate"] = "0.02",
    ["Sandbox:Faults:UnknownOutcomeRate"] = "0.005",
    ["Sandbox:Faults:DuplicateWebhooks"] = "true",
    ["Sandbox:Faults:WebhookDelay"] = "00:00:02",
    ["Logging:LogLevel:Default"] = "Warning",
    ["Logging:Console:FormatterName"] = "simple",
    ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
    ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
}, Path.Combine(logs, "sandbox.log"));
sandbox.Start();
await sandbox.WaitReadyAsync(TimeSpan.FromSeconds(60));

// Production hosts, configured as an operator configures them: every provider named explicitly (here the
// sandbox and its credentials), the simulator off.
var processorSettings = new Dictionary<string, string>
{
    ["ASPNETCORE_ENVIRONMENT"] = "Production",
    ["Payouts:PublicUrl"] = proxyUrl.ToString(),
    ["Bus:Transport"] = "RabbitMq",
    ["ConnectionStrings:RabbitMq"] = options.RabbitMq,
    ["Bus:InternalMessageKey"] = $"chaos-internal-message-key-{run}-0123456789",
    ["Database:Provider"] = "Postgres",
    ["ConnectionStrings:Payouts"] = database,
    ["Providers:Dfns:BaseUrl"] = new Uri(sandboxUrl, "dfns").ToString(),
    ["Providers:Dfns:ApiToken"] = defaults.DfnsApiToken,
    ["Providers:Dfns:WebhookSecret"] = defaults.DfnsWebhookSecret,
    ["Providers:Dfns:CredentialId"] = defaults.DfnsCredentialId,
    ["Providers:Dfns:CredentialPrivateKey"] = defaults.DfnsCredentialPrivateKey,
    ["Providers:TheDex:BaseUrl"] = new Uri(sandboxUrl, "thedex/api/v1").ToString(),
    ["Providers:TheDex:ApiKey"] = defaults.TheDexApiKey,
    ["Providers:TheDex:ApiSecret"] = defaults.TheDexApiSecret,
    ["Providers:Calypso:BaseUrl"] = new Uri(sandboxUrl, "calypso").ToString(),
    ["Providers:Calypso:Account"] = defaults.CalypsoAccount,
    ["Providers:Calypso:PublicKey"] = defaults.CalypsoPublicKey,
    ["Providers:Calypso:Secret"] = defaults.CalypsoSecret,
    ["Providers:Calypso:WebhookSecret"] = defaults.CalypsoWebhookSecret,
    ["Providers:OxaPay:BaseUrl"] = new Uri(sandboxUrl, "oxapay/v1").ToString(),
    ["Providers:OxaPay:PayoutApiKey"] = defaults.OxaPayPayoutApiKey,
    ["Logging:LogLevel:Default"] = "Warning",
    // When each start and stop began and ended, beside the warnings, each line with its time.
    ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
    ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
};
var processors = Enumerable.Range(1, options.Processors)
    .Select(i => new ChildProcess($"processor-{i}", options.HostDll, new Uri($"http://127.0.0.1:{FreePort()}/"), new Uri("/health/ready", UriKind.Relative),
        processorSettings, Path.Combine(logs, $"processor-{i}.log")))
    .ToList();
await using var stopProcessors = new ChildProcesses(processors);
await using var proxy = await WebhookProxy.StartAsync(proxyUrl, processors);
// The first one creates the schema; the others start on it.
processors[0].Start();
await processors[0].WaitReadyAsync(TimeSpan.FromSeconds(120));
foreach (var processor in processors.Skip(1))
    processor.Start();
foreach (var processor in processors.Skip(1))
    await processor.WaitReadyAsync(TimeSpan.FromSeconds(120));

var plan = new PayoutPlan(run, options.Payouts);
await using var upstream = await Upstream.StartAsync(options.RabbitMq, plan, options.InFlight);
const int poison = 1;
await PublishPoisonAsync(options.RabbitMq);

var endedInDatabase = 0;
var faults = new FaultSchedule(options, processors, () => upstream.Ended, virtualHost);
using var stopFaults = new CancellationTokenSource();
var faulting = faults.RunAsync(stopFaults.Token);
var sent = 0;
var started = Stopwatch.StartNew();
using var stopProgress = new CancellationTokenSource();
var progress = Task.Run(async () =>
{
    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
    while (await timer.WaitForNextTickAsync(stopProgress.Token).AsTask().ContinueWith(t => t is { IsCompletedSuccessfully: true, Result: true }))
        Console.WriteLine($"  {started.Elapsed:mm\\:ss}  sent {sent}/{plan.Sends.Count}, ended {upstream.Ended} heard / {endedInDatabase} recorded of {options.Payouts}; " +
            $"processors up {processors.Count(p => p.Ready)}/{processors.Count}; faults {faults.Records.Count}");
});

var stalledAfter = TimeSpan.FromMinutes(5);
string? stall = null;
try
{
    await upstream.SendAllAsync(stalledAfter, n => sent = n);
}
catch (TimeoutException e)
{
    stall = e.Message;
}
// Every payout ended in the processor's records, or nothing more ends for the stall time.
var lastChange = DateTime.UtcNow;
while (stall is null && endedInDatabase < options.Payouts)
{
    await Task.Delay(TimeSpan.FromSeconds(2));
    int now;
    try
    {
        now = await Reconciliation.EndedAsync(database, plan);
    }
    catch (NpgsqlException)
    {
        // PostgreSQL is being restarted: read again on the next round.
        continue;
    }
    if (now != endedInDatabase)
        lastChange = DateTime.UtcNow;
    endedInDatabase = now;
    if (DateTime.UtcNow - lastChange > stalledAfter)
        stall = $"No payout ended for {stalledAfter.TotalMinutes:0} min with {options.Payouts - endedInDatabase} still open.";
}
var elapsed = started.Elapsed;
await stopFaults.CancelAsync();
await faulting;
// The last terminal events may still be on their way from the outboxes.
var heardBy = DateTime.UtcNow + TimeSpan.FromSeconds(60);
while (upstream.Ended < endedInDatabase && DateTime.UtcNow < heardBy)
    await Task.Delay(TimeSpan.FromMilliseconds(500));
await Task.Delay(TimeSpan.FromSeconds(3));
await stopProgress.CancelAsync();
await progress;

Console.WriteLine();
Console.WriteLine($"Reconciliation, {DateTime.UtcNow:yyyy-MM-dd}, {options.Processors} processors, {Environment.ProcessorCount} cores:");
var report = await Reconciliation.RunAsync(plan, upstream, database, sandboxUrl, virtualHost, poison);
report.Print();
Console.WriteLine();
Console.WriteLine($"Throughput: {endedInDatabase} payouts ended in {elapsed:mm\\:ss} ({endedInDatabase / elapsed.TotalSeconds:F1} payouts/s) through {faults.Records.Count} faults:");
foreach (var group in faults.Records.GroupBy(r => r.What.StartsWith("SIGKILL", StringComparison.Ordinal) ? "SIGKILL of a processor" : r.What))
{
    var back = group.Where(r => r.BackAfter is not null).Select(r => r.BackAfter!.Value.TotalSeconds).ToList();
    var progressAfter = group.Where(r => r.ProgressAfter is not null).Select(r => r.ProgressAfter!.Value.TotalSeconds).ToList();
    Console.WriteLine($"  {group.Key}: {group.Count()}×" +
        (back.Count > 0 ? $", back up after {back.Average():F1} s on average (at most {back.Max():F1} s)" : "") +
        (progressAfter.Count > 0 ? $", payouts ending again {progressAfter.Max():F1} s after it began" : "") +
        string.Concat(group.Where(r => r.Note is not null).Select(r => $"; {r.Note}")));
}
if (stall is not null)
    Console.WriteLine($"STALLED: {stall}");
var clean = stall is null && report.Clean;
Console.WriteLine(clean ? "Chaos run passed: nothing lost, nothing paid twice, every record matches the ledger." : "Chaos run FAILED: see the mismatches above.");
return clean ? 0 : 1;

static async Task<string> CreateDatabaseAsync(string admin, string name)
{
    await using var connection = new NpgsqlConnection(admin);
    await connection.OpenAsync();
    await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
    await create.ExecuteNonQueryAsync();
    return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
}

// A message no consumer may act on (a content type the processor does not read): it must end in payout-state_error with the reason.
static async Task PublishPoisonAsync(string rabbitMq)
{
    var factory = new ConnectionFactory { Uri = new Uri(rabbitMq) };
    await using var connection = await factory.CreateConnectionAsync();
    await using var channel = await connection.CreateChannelAsync();
    var properties = new BasicProperties { ContentType = "text/plain", Persistent = true, MessageId = Guid.NewGuid().ToString() };
    await channel.BasicPublishAsync("payouts.request-payout", "", false, properties, "pay everyone twice"u8.ToArray());
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
