using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Sandbox;

/// <summary>
/// OxaPay (seed 004) under <c>/oxapay/v1</c>: <c>payout_api_key</c> header, create, get by track id,
/// history. A payout moves processing → confirming → confirmed (or rejected), with callbacks signed
/// by <c>HMAC</c> = HMAC-SHA512(api key, body).
/// </summary>
internal sealed class OxaPaySandbox(SandboxOptions options, SandboxLedger ledger) : SimulatedProvider(options, ledger)
{
    private readonly SandboxAccount _account = new(options.OxaPayBalances, options.DailyLimit);

    private static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public override string Name => "OxaPay";

    public override PathString PathPrefix => "/oxapay";

    public override bool IsCreate(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Equals("/oxapay/v1/payout", StringComparison.Ordinal);

    public override IResult Unavailable() =>
        Envelope(503, null, "Service unavailable", new { type = "server", key = "service", message = "Service temporarily unavailable" });

    public override void Map(IEndpointRouteBuilder app)
    {
        var oxapay = app.MapGroup("/oxapay/v1").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers["payout_api_key"] == Options.OxaPayPayoutApiKey
                ? await next(context)
                : Envelope(401, null, "Invalid API key", new { type = "authentication", key = "payout_api_key", message = "Invalid payout API key (result 103)" }));

        oxapay.MapPost("/payout", async (HttpRequest request) =>
        {
            var body = ParseOrNull(await ReadBodyAsync(request));
            var amount = ReadDecimal(body?["amount"]);
            var address = (string?)body?["address"];
            var currency = (string?)body?["currency"];
            var network = (string?)body?["network"];
            if (body is null || amount is not > 0 || string.IsNullOrEmpty(address) || string.IsNullOrEmpty(currency))
                return Refused("request", "address, currency and a positive amount are required (result 101)");
            if (OxaPayProfile.Assets.All(a => a.Currency != currency))
                return Refused("currency", $"{currency} is not supported (result 105)");
            var asset = OxaPayProfile.Assets.FirstOrDefault(a => a.Currency == currency && a.ProviderCode == network);
            if (asset is null)
                return Refused("network", $"{currency} on {network} is not supported (result 106)");
            if (Amounts.Scale(amount.Value) > asset.Decimals)
                return Refused("amount", $"{currency} allows {asset.Decimals} decimals (result 101)");
            if (!Networks.IsValidAddress(asset.Network, address))
                return Refused("address", "The address is not valid for this network (result 117)");
            if (amount.Value < MinimumPayout(currency))
                return Refused("amount", $"The amount is below the minimum of {MinimumPayout(currency)} {currency} (result 127)");
            var (refusal, _) = _account.Reserve(currency, amount.Value);
            if (refusal == SandboxAccount.Refusal.InsufficientBalance)
                return Refused("balance", "Insufficient balance (result 130)");
            if (refusal == SandboxAccount.Refusal.DailyLimit)
                return Refused("limit", "The daily payout limit is reached (result 129)");

            var payout = new SandboxPayout
            {
                Id = SandboxLedger.NewId("", 10),
                Provider = "OxaPay",
                Key = (string?)body["description"],
                Amount = amount.Value,
                Currency = currency,
                Destination = address,
                CallbackUrl = (string?)body["callback_url"],
                Status = "processing",
                Echo = { ["network"] = network, ["memo"] = (string?)body["memo"] },
            };
            Add(payout);
            return Envelope(200, new { track_id = payout.Id, status = payout.Status }, "Operation completed successfully!", null);
        });

        oxapay.MapGet("/payout/{trackId}", (string trackId) =>
            Payouts.TryGetValue(trackId, out var payout)
                ? Envelope(200, PayoutJson(payout), "Operation completed successfully!", null)
                : Envelope(404, null, "Not found", new { type = "not_found", key = "track_id", message = $"payout {trackId} not found" }));

        // Newest first, in pages of `size` rows (at most the page limit), like OxaPay's history.
        oxapay.MapGet("/payout", (long? from_date, long? to_date, int? size, int? page) =>
        {
            var from = DateTimeOffset.FromUnixTimeSeconds(from_date ?? 0).UtcDateTime;
            var to = DateTimeOffset.FromUnixTimeSeconds(to_date ?? 32503680000).UtcDateTime;
            var pageSize = Math.Clamp(size ?? 10, 1, Options.OxaPayHistoryPageLimit);
            var matching = Payouts.Values.Where(p => p.CreatedAt >= from && p.CreatedAt <= to).OrderByDescending(p => p.CreatedAt).ToList();
            var lastPage = Math.Max(1, (matching.Count + pageSize - 1) / pageSize);
            var current = Math.Max(1, page ?? 1);
            var list = matching.Skip((current - 1) * pageSize).Take(pageSize).Select(PayoutJson).ToList();
            return Envelope(200, new { list, meta = new { page = current, last_page = lastPage, total = matching.Count } }, "Operation completed successfully!", null);
        });
    }

    public override IEnumerable<OutgoingWebhook> Advance(SandboxPayout payout)
    {
        if (StepThrough(payout, "processing", "confirming", "confirmed", "rejected") && payout.CallbackUrl is not null)
            yield return Callback(payout);
    }

    private OutgoingWebhook Callback(SandboxPayout payout)
    {
        var body = Json(new
        {
            track_id = payout.Id,
            type = "payout",
            status = payout.Status,
            tx_hash = payout.TxHash,
            address = payout.Destination,
            currency = payout.Currency,
            network = payout.Echo.GetValueOrDefault("network"),
            amount = payout.Amount,
            date = new DateTimeOffset(payout.CreatedAt).ToUnixTimeSeconds(),
            description = payout.Key,
        }, SnakeCase);
        var hmac = Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(Options.OxaPayPayoutApiKey), Encoding.UTF8.GetBytes(body)));
        return new OutgoingWebhook(new Uri(payout.CallbackUrl!), body, new Dictionary<string, string> { ["HMAC"] = hmac });
    }

    private static object PayoutJson(SandboxPayout payout) => new
    {
        track_id = payout.Id,
        address = payout.Destination,
        currency = payout.Currency,
        network = payout.Echo.GetValueOrDefault("network"),
        amount = payout.Amount,
        fee = 0m,
        status = payout.Status,
        tx_hash = payout.TxHash,
        description = payout.Key,
        @internal = false,
        memo = payout.Echo.GetValueOrDefault("memo"),
        date = new DateTimeOffset(payout.CreatedAt).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    private static IResult Refused(string key, string message) =>
        Envelope(400, null, "Validation failed", new { type = "validation", key, message });

    private static IResult Envelope(int status, object? data, string message, object? error) =>
        JsonResult(new { data = data ?? new { }, message, error = error ?? new { }, status, version = "1.0.0" }, status, SnakeCase);
}
