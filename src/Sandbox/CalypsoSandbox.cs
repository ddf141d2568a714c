using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Sandbox;

/// <summary>
/// Calypso (seed 003) under <c>/calypso/api/v1</c>: signed <c>{account, timestamp, payload}</c> envelopes
/// (±3 min), balances, commission pre-calculation, create (idempotent on idempotencyKey) and look-up.
/// API payouts start CONFIRMED and move to IN_PROGRESS, then COMPLETED (or FAILED), with signed webhooks.
/// </summary>
internal sealed class CalypsoSandbox : SimulatedProvider
{
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(3);
    private readonly SandboxAccount _account;

    public CalypsoSandbox(SandboxOptions options, SandboxLedger ledger) : base(options, ledger) =>
        _account = new SandboxAccount(options.CalypsoBalances, options.DailyLimit);

    public override string Name => "Calypso";

    public override PathString PathPrefix => "/calypso";

    /// <summary>Calypso retries a webhook about 19 times over some 34 hours (providers.md).</summary>
    public override int WebhookAttempts => 19;

    public override bool IsCreate(HttpRequest request) => request.Path.Equals("/calypso/api/v1/payout/create", StringComparison.Ordinal);

    public override IResult Unavailable() => Error(503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable");

    public override void Map(IEndpointRouteBuilder app)
    {
        var calypso = app.MapGroup("/calypso/api/v1");
        calypso.MapPost("/account", (HttpRequest request) => Signed(request, _ =>
            JsonResult(new { balances = _account.Balances.Select(b => new { currency = b.Key, available = b.Value }) })));
        calypso.MapPost("/tariff/extended-fee", (HttpRequest request) => Signed(request, payload =>
            JsonResult(new
            {
                items = (payload["items"] as JsonArray ?? []).Select(item =>
                {
                    var amount = ReadDecimal(item?["baseAmount"]) ?? 0m;
                    var fee = decimal.Round(amount * 0.005m, 6);
                    return new { amount, currency = (string?)item?["currency"], feeSender = new { amount = amount + fee, fee }, feeReceiver = new { amount, fee = 0m } };
                }),
            })));
        calypso.MapPost("/payout/create", (HttpRequest request) => Signed(request, Create));
        calypso.MapPost("/payout", (HttpRequest request) => Signed(request, payload =>
        {
            var id = (string?)payload["id"];
            var found = id is not null ? Payouts.GetValueOrDefault(id) : FindByKey((string?)payload["idempotencyKey"]);
            return found is null ? Error(404, "NOT_FOUND", "Payout not found") : JsonResult(PayoutJson(found));
        }));
    }

    public override IEnumerable<OutgoingWebhook> Advance(SandboxPayout payout)
    {
        var before = (payout.Status, payout.TxHash);
        AdvanceStatus(payout);
        if (Options.CalypsoWebhookUrl is null || before == (payout.Status, payout.TxHash))
            yield break;
        yield return Webhook(before.Status == payout.Status ? "PAYOUT_HASH_RECEIVED" : "PAYOUT_CHANGE_STATUS", payout);
    }

    private void AdvanceStatus(SandboxPayout payout)
    {
        switch (payout.Status)
        {
            case "CONFIRMED":
                payout.Status = "IN_PROGRESS";
                break;
            case "IN_PROGRESS" when ShouldFail(payout):
                payout.Status = "FAILED";
                _account.Refund(payout.Currency, payout.Amount);
                break;
            case "IN_PROGRESS" when payout.TxHash is null:
                Execute(payout);
                break;
            case "IN_PROGRESS":
                payout.Status = "COMPLETED";
                break;
        }
    }

    private IResult Create(JsonNode payload)
    {
        var key = (string?)payload["idempotencyKey"];
        if (!Guid.TryParse(key, out _))
            return Error(400, "VALIDATION_ERROR", "idempotencyKey must be a UUID");
        if (FindByKey(key) is { } existing)
            return JsonResult(PayoutJson(existing));

        var amount = ReadDecimal(payload["amount"]);
        var currency = (string?)payload["currency"];
        var address = (string?)payload["depositAddress"];
        if (amount is not > 0 || string.IsNullOrEmpty(currency) || string.IsNullOrEmpty(address))
            return Error(400, "VALIDATION_ERROR", "depositAddress, amount and currency are required");
        if (CalypsoProfile.Assets.All(a => a.ProviderCode != currency))
            return Error(400, "VALIDATION_ERROR", $"currency {currency} is not supported");
        var (refusal, _) = _account.Reserve(currency, amount.Value);
        if (refusal == SandboxAccount.Refusal.InsufficientBalance)
            return Error(400, "INSUFFICIENT_FUNDS", $"Not enough {currency} on the account");
        if (refusal == SandboxAccount.Refusal.DailyLimit)
            return Error(400, "LIMIT_EXCEEDED", $"The daily limit for {currency} is exceeded");

        var payout = new SandboxPayout
        {
            Id = Guid.NewGuid().ToString(),
            Provider = "Calypso",
            Key = key,
            Amount = amount.Value,
            Currency = currency,
            Destination = address,
            Status = "CONFIRMED",
            Echo = { ["externalId"] = (string?)payload["externalId"], ["comment"] = (string?)payload["comment"] },
        };
        var made = AddOnce(payout);
        // A concurrent create with the same key got there first: this one's reservation is given back.
        if (made != payout)
            _account.Refund(currency, amount.Value);
        return JsonResult(PayoutJson(made));
    }

    private async Task<IResult> Signed(HttpRequest request, Func<JsonNode, IResult> handle)
    {
        var raw = await ReadBodyAsync(request);
        var expected = Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(Options.CalypsoSecret), raw));
        if (request.Headers["Key"] != Options.CalypsoPublicKey ||
            !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(request.Headers["Sign"].ToString())))
            return Error(401, "UNAUTHORIZED", "Invalid Key or Sign");
        var envelope = ParseOrNull(raw);
        if (envelope is null || (string?)envelope["account"] != Options.CalypsoAccount)
            return Error(400, "VALIDATION_ERROR", "account does not match the key");
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds((long?)envelope["timestamp"] ?? 0);
        if ((DateTimeOffset.UtcNow - timestamp).Duration() > ClockTolerance)
            return Error(401, "TIMESTAMP_EXPIRED", "timestamp is more than 3 minutes away from server time");
        return handle(envelope["payload"] ?? new JsonObject());
    }

    private OutgoingWebhook Webhook(string type, SandboxPayout payout)
    {
        var body = Json(new
        {
            hash = payout.TxHash,
            type,
            createdDate = DateTime.UtcNow,
            payoutStatus = payout.Status,
            idempotencyKey = payout.Key,
            currency = payout.Currency,
            externalId = payout.Echo.GetValueOrDefault("externalId"),
        });
        var sign = Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(Options.CalypsoWebhookSecret), Encoding.UTF8.GetBytes(body)));
        return new OutgoingWebhook(Options.CalypsoWebhookUrl!, body, new Dictionary<string, string> { ["Key"] = Options.CalypsoPublicKey, ["Sign"] = sign });
    }

    private static object PayoutJson(SandboxPayout payout) => new
    {
        id = payout.Id,
        depositAddress = payout.Destination,
        amount = payout.Amount,
        currency = payout.Currency,
        fee = decimal.Round(payout.Amount * 0.005m, 6),
        feePercentage = 0.5m,
        state = payout.Status,
        createdDate = payout.CreatedAt,
        transactionHash = payout.TxHash,
        comment = payout.Echo.GetValueOrDefault("comment"),
        idempotencyKey = payout.Key,
        externalId = payout.Echo.GetValueOrDefault("externalId"),
    };

    private static IResult Error(int status, string code, string message) => JsonResult(new { code, message }, status);
}
