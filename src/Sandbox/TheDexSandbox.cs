using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Sandbox;

/// <summary>
/// TheDex (seed 002) under <c>/thedex/api/v1</c>: every call is a POST signed with
/// <c>X-EX-APIKEY</c>/<c>X-EX-PAYLOAD</c>/<c>X-EX-SIGNATURE</c>. A payout moves 0 Waiting → 3 Processing →
/// 1 Successful (or 2 Rejected), with a signed callback at each step.
/// </summary>
internal sealed class TheDexSandbox(SandboxOptions options, SandboxLedger ledger) : SimulatedProvider(options, ledger)
{
    private readonly SandboxAccount _account = new(options.TheDexBalances, options.DailyLimit);

    private static readonly Dictionary<int, string> StatusNames = new()
    {
        [0] = "Waiting", [1] = "Successful", [2] = "Rejected", [3] = "Processing", [6] = "Unpaid", [7] = "Cancelled",
    };

    public override string Name => "TheDex";

    public override PathString PathPrefix => "/thedex";

    public override bool IsCreate(HttpRequest request) => request.Path.Equals("/thedex/api/v1/payouts/create", StringComparison.Ordinal);

    public override IResult Unavailable() => Problem(503, "Service Unavailable", "Service temporarily unavailable");

    public override void Map(IEndpointRouteBuilder app)
    {
        var dex = app.MapGroup("/thedex/api/v1");
        dex.MapPost("/payouts/create", (HttpRequest request) => Signed(request, Create));
        dex.MapPost("/payouts/one", (HttpRequest request) => Signed(request, body =>
            Payouts.TryGetValue((string?)body["payoutId"] ?? "", out var payout)
                ? JsonResult(PayoutJson(payout))
                : Problem(404, "Not Found", $"Payout {(string?)body["payoutId"]} not found")));
        dex.MapPost("/payouts", (HttpRequest request) => Signed(request, body =>
        {
            var from = DateTimeOffset.FromUnixTimeMilliseconds((long?)body["from"] ?? 0).UtcDateTime;
            var to = DateTimeOffset.FromUnixTimeMilliseconds((long?)body["to"] ?? long.MaxValue / 4).UtcDateTime;
            return JsonResult(Payouts.Values.Where(p => p.CreatedAt >= from && p.CreatedAt <= to).Select(PayoutJson).ToList());
        }));
        dex.MapPost("/commissions/payout", (HttpRequest request) => Signed(request, _ => JsonResult(new
        {
            userPayoutCommission = "0.5",
            payoutBlockchainFee = TheDexProfile.Assets.Select(a => new { monetary = a.ProviderCode, blockchainFee = a.Currency == "USDT" ? "1" : "0" }),
        })));
    }

    public override IEnumerable<OutgoingWebhook> Advance(SandboxPayout payout)
    {
        if (StepThrough(payout, "0", "3", "1", "2") && payout.CallbackUrl is not null)
            yield return Callback(payout);
    }

    private IResult Create(JsonNode body)
    {
        var amount = ReadDecimal(body["amountInPayCurrency"]);
        if (amount is null)
            return Problem(400, "Bad Request", "amountInPayCurrency: must not be null. ");
        var currency = (string?)body["payCurrency"];
        if (string.IsNullOrEmpty(currency))
            return Problem(400, "Bad Request", "payCurrency: must not be null. ");
        var address = (string?)body["address"];
        if (string.IsNullOrEmpty(address))
            return Problem(400, "Bad Request", "address: must not be null. ");
        var asset = TheDexProfile.Assets.FirstOrDefault(a => a.ProviderCode == currency);
        if (asset is null)
            return Problem(422, "Unprocessable Entity", $"Currency {currency} is not supported");
        if (Amounts.Scale(amount.Value) > asset.Decimals)
            return FieldErrors("amountInPayCurrency", $"Max decimal scale for payCurrency `{currency}` is {asset.Decimals}");
        if (!Networks.IsValidAddress(asset.Network, address))
            return FieldErrors("address", "The wallet address is invalid");
        if (amount.Value < MinimumPayout(asset.Currency))
            return Problem(422, "Unprocessable Entity", $"Withdrawal amount {amount.Value} is below the minimum limit of {MinimumPayout(asset.Currency)} {currency}.");
        var (refusal, available) = _account.Reserve(currency, amount.Value);
        if (refusal == SandboxAccount.Refusal.InsufficientBalance)
            return FieldErrors("balance", $"Not enough balance to create payout with amount {amount.Value}. Available balance is {available} {currency}");
        if (refusal == SandboxAccount.Refusal.DailyLimit)
            return FieldErrors("limit", "The daily limit has been exceeded.");

        var payout = new SandboxPayout
        {
            Id = Guid.NewGuid().ToString(),
            Provider = "TheDex",
            Key = (string?)body["description"],
            Amount = amount.Value,
            Currency = currency,
            Destination = address,
            CallbackUrl = (string?)body["callbackUrl"],
            Status = "0",
            Echo = { ["memo"] = (string?)body["memo"] },
        };
        Add(payout);
        return JsonResult(PayoutJson(payout));
    }

    private async Task<IResult> Signed(HttpRequest request, Func<JsonNode, IResult> handle)
    {
        var raw = await ReadBodyAsync(request);
        var payload = Convert.ToBase64String(raw);
        var expected = Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(Options.TheDexApiSecret), Encoding.UTF8.GetBytes(payload)));
        var authorized = request.Headers["X-EX-APIKEY"] == Options.TheDexApiKey
                         && request.Headers["X-EX-PAYLOAD"] == payload
                         && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(request.Headers["X-EX-SIGNATURE"].ToString()));
        if (!authorized)
            return Problem(401, "Unauthorized", "Request is not authorized");
        return ParseOrNull(raw) is { } body ? handle(body) : Problem(400, "Bad Request", "Malformed JSON request");
    }

    private OutgoingWebhook Callback(SandboxPayout payout)
    {
        var body = Json(PayoutJson(payout));
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(body));
        var signature = Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(Options.TheDexApiSecret), Encoding.UTF8.GetBytes(payload)));
        return new OutgoingWebhook(new Uri(payout.CallbackUrl!), body, new Dictionary<string, string>
        {
            ["X-EX-APIKEY"] = Options.TheDexApiKey, ["X-EX-PAYLOAD"] = payload, ["X-EX-SIGNATURE"] = signature,
        });
    }

    private static object PayoutJson(SandboxPayout payout)
    {
        var status = int.Parse(payout.Status, CultureInfo.InvariantCulture);
        return new
        {
            id = payout.Id,
            status,
            statusName = StatusNames.GetValueOrDefault(status, "Processing"),
            fiatCurrency = "USD",
            fiatAmount = payout.Amount.ToString(CultureInfo.InvariantCulture),
            payCurrency = payout.Currency,
            address = payout.Destination,
            memo = payout.Echo.GetValueOrDefault("memo"),
            createDate = payout.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            modifiedDate = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            transactionId = payout.TxHash,
            withdrawalAmount = payout.Amount.ToString(CultureInfo.InvariantCulture),
            transferAmount = payout.Amount.ToString(CultureInfo.InvariantCulture),
            blockchainFee = "0",
            payoutCommissionPercentage = "0.5",
            isApiCalled = true,
            description = payout.Key,
            merchantId = "sandbox-merchant",
            callbackUrl = payout.CallbackUrl,
        };
    }

    private static IResult Problem(int status, string error, string message) =>
        JsonResult(new { error, status, timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), message }, status);

    private static IResult FieldErrors(string field, string message) =>
        JsonResult(new { errors = new Dictionary<string, string> { [field] = message }, status = 6 }, 422);
}
