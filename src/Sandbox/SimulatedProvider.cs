using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Payouts.Bus.Sandbox;

/// <summary>A webhook or callback the sandbox will post, already signed.</summary>
internal sealed record OutgoingWebhook(Uri Url, string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// One provider as the sandbox plays it: its HTTP endpoints, its payouts, and how a payout moves
/// one status step further (with the webhooks that step sends).
/// </summary>
internal abstract class SimulatedProvider(SandboxOptions options, SandboxLedger ledger)
{
    protected static readonly JsonSerializerOptions CamelCase = new(JsonSerializerDefaults.Web);

    protected SandboxOptions Options { get; } = options;
    protected SandboxLedger Ledger { get; } = ledger;
    protected ConcurrentDictionary<string, SandboxPayout> Payouts { get; } = new();
    private readonly ConcurrentDictionary<string, SandboxPayout> _byKey = new();
    private readonly ConcurrentDictionary<string, SandboxPayout> _moving = new();

    public abstract string Name { get; }

    /// <summary>Where the provider's API lives in the sandbox, e.g. <c>/dfns</c>.</summary>
    public abstract PathString PathPrefix { get; }

    /// <summary>How many times the provider tries to deliver one webhook (first attempt included).</summary>
    public virtual int WebhookAttempts => 5;

    public abstract void Map(IEndpointRouteBuilder app);

    /// <summary>True for the request that creates a payout: the one whose lost answer leaves the outcome unknown.</summary>
    public abstract bool IsCreate(HttpRequest request);

    /// <summary>The provider's own answer when it is overloaded or down.</summary>
    public abstract IResult Unavailable();

    /// <summary>The delivery of a webhook for a retry; most providers send the same body again.</summary>
    public virtual OutgoingWebhook Redeliver(OutgoingWebhook first, int attempt) => first;

    /// <summary>Moves a payout one step along, if it can move by itself; returns the webhooks to send.</summary>
    public abstract IEnumerable<OutgoingWebhook> Advance(SandboxPayout payout);

    /// <summary>
    /// The payouts that may still move by themselves. The stepper visits only these, so that a
    /// provider with a long history costs no more per step than a new one.
    /// </summary>
    public IEnumerable<SandboxPayout> Moving => _moving.Values;

    /// <summary>Takes a payout off the stepper's round; call with the payout's gate held.</summary>
    public void Rest(SandboxPayout payout) => _moving.TryRemove(payout.Id, out _);

    /// <summary>Puts a payout back on the stepper's round (an action made it movable again); gate held.</summary>
    protected void Wake(SandboxPayout payout) => _moving[payout.Id] = payout;

    /// <summary>Records a new payout. Keys are indexed by the first payout that used them.</summary>
    protected void Add(SandboxPayout payout)
    {
        Payouts[payout.Id] = payout;
        if (payout.Key is not null)
            _byKey.TryAdd(payout.Key, payout);
        _moving[payout.Id] = payout;
    }

    /// <summary>For providers that honour an idempotency key: the payout already made with this key, or this new one.</summary>
    protected SandboxPayout AddOnce(SandboxPayout payout)
    {
        if (payout.Key is not null && _byKey.GetOrAdd(payout.Key, payout) is var first && first != payout)
            return first;
        Add(payout);
        return payout;
    }

    protected SandboxPayout? FindByKey(string? key) =>
        key is null ? null : _byKey.GetValueOrDefault(key);

    protected void Execute(SandboxPayout payout)
    {
        payout.TxHash ??= SandboxLedger.NewTxHash();
        Ledger.Execute(new SandboxTransfer(payout.Provider, payout.Id, payout.Key, payout.Amount, payout.Currency, payout.Destination, payout.TxHash, DateTime.UtcNow));
    }

    protected bool ShouldFail(SandboxPayout payout) => Options.FailingDestinations.Contains(payout.Destination);

    /// <summary>
    /// The least one payout may be, per currency. Assumption: TheDex publishes such a table
    /// (<c>info/payout/limit/crypto</c>) and OxaPay has a result code for it, neither in the seeds;
    /// these figures are the sandbox's.
    /// </summary>
    protected static decimal MinimumPayout(string symbol) => symbol switch
    {
        "BTC" => 0.0001m,
        "ETH" => 0.001m,
        "LTC" or "SOL" or "BNB" => 0.01m,
        _ => 1m,
    };

    /// <summary>
    /// The common progression: created → processing → succeeded (the transfer executes) or failed
    /// (for a failing destination). Returns false when the payout had no step left.
    /// </summary>
    protected bool StepThrough(SandboxPayout payout, string created, string processing, string succeeded, string failed)
    {
        if (payout.Status == created)
        {
            payout.Status = processing;
            return true;
        }
        if (payout.Status != processing)
            return false;
        payout.Status = ShouldFail(payout) ? failed : succeeded;
        if (payout.Status == succeeded)
            Execute(payout);
        return true;
    }

    protected static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    protected static JsonNode? ParseOrNull(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected static string Json(object value, JsonSerializerOptions? options = null) =>
        JsonSerializer.Serialize(value, options ?? CamelCase);

    protected static IResult JsonResult(object value, int status = 200, JsonSerializerOptions? options = null) =>
        Results.Text(Json(value, options), "application/json", Encoding.UTF8, status);

    protected static decimal? ReadDecimal(JsonNode? node)
    {
        if (node is not JsonValue value)
            return null;
        if (value.TryGetValue<decimal>(out var number))
            return number;
        return value.TryGetValue<string>(out var text) &&
               decimal.TryParse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : null;
    }
}
