using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Payouts.Bus.Providers.Dfns;

namespace Payouts.Bus.Sandbox;

/// <summary>
/// Dfns payouts (seeds 000, 001) under <c>/dfns</c>: quote, create (idempotent on externalId),
/// get, Confirm/Cancel actions. A payout moves Initializing → AwaitingPayoutConfirmation (webhook
/// <c>payout.action.required</c>) → [Confirm] → SubmittingPayoutTransfer → DepositProcessing → Completed.
/// Completion sends no webhook, as at Dfns.
/// </summary>
internal sealed class DfnsSandbox(SandboxOptions options, SandboxLedger ledger) : SimulatedProvider(options, ledger)
{
    private const string FeePercent = "1.45";

    public override void Map(IEndpointRouteBuilder app)
    {
        var dfns = app.MapGroup("/dfns").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers.Authorization == $"Bearer {Options.DfnsApiToken}"
                ? await next(context)
                : Error(401, "Unauthorized: invalid or missing bearer token"));

        dfns.MapPost("/payouts/quote", async (HttpRequest request) =>
        {
            var body = ParseOrNull(await ReadBodyAsync(request));
            var asset = FindAsset(body?["asset"]);
            if (asset is null || !TryMinimum(body?["asset"]?["amount"], out var minimum))
                return Error(400, "asset: unknown asset or amount not an integer string");
            var amount = FromMinimum(minimum, asset.Decimals);
            var fees = decimal.Round(amount * decimal.Parse(FeePercent, CultureInfo.InvariantCulture) / 100m, 2);
            return JsonResult(new
            {
                provider = "Borderless",
                asset = AssetJson(asset, minimum),
                timestamp = DateTime.UtcNow,
                quotes = new[] { new { offer = new { fiatCurrency = (string?)body!["fiatCurrency"] ?? "USD", amount = amount - fees, fees } } },
            });
        });

        dfns.MapPost("/payouts", async (HttpRequest request) =>
        {
            var body = ParseOrNull(await ReadBodyAsync(request));
            if (body is null)
                return Error(400, "body is not JSON");
            var error = Validate(body);
            if (error is not null)
                return Error(400, error);

            var externalId = (string?)body["externalId"];
            if (FindByKey(externalId) is { } existing)
                return JsonResult(PayoutJson(existing));

            var asset = FindAsset(body["asset"])!;
            TryMinimum(body["asset"]!["amount"], out var minimum);
            var payout = new SandboxPayout
            {
                Id = $"pyt-{SandboxLedger.NewId("", 5)}-{SandboxLedger.NewId("", 5)}-{SandboxLedger.NewId("", 16)}",
                Provider = "Dfns",
                Key = externalId,
                Amount = FromMinimum(minimum, asset.Decimals),
                Currency = asset.Currency,
                Destination = (string)body["paymentInstructionsId"]!,
                Status = "Initializing",
                Echo =
                {
                    ["walletId"] = (string?)body["walletId"],
                    ["fiatCurrency"] = (string?)body["fiatCurrency"],
                    ["country"] = (string?)body["country"],
                    ["borderlessAccountId"] = (string?)body["borderlessAccountId"],
                    ["paymentPurpose"] = (string?)body["paymentPurpose"],
                    ["contract"] = asset.Contract,
                    ["minimum"] = minimum,
                },
            };
            Payouts[payout.Id] = payout;
            return JsonResult(PayoutJson(payout));
        });

        dfns.MapGet("/payouts/{id}", (string id) =>
            Payouts.TryGetValue(id, out var payout) ? JsonResult(PayoutJson(payout)) : Error(404, $"Payout {id} not found"));

        dfns.MapPost("/payouts/{id}/action", async (string id, HttpRequest request) =>
        {
            if (!Payouts.TryGetValue(id, out var payout))
                return Error(404, $"Payout {id} not found");
            var body = ParseOrNull(await ReadBodyAsync(request));
            lock (payout.Gate)
            {
                if (payout.Status != "AwaitingPayoutConfirmation")
                    return Error(400, $"Payout {id} is not awaiting confirmation (executionStatus {payout.Status})");
                switch ((string?)body?["action"])
                {
                    case "Cancel":
                        payout.Status = "Canceled";
                        return JsonResult(new { });
                    case "Confirm":
                        var mismatch = ConfirmMismatch(payout, body!);
                        if (mismatch is not null)
                            return Error(400, mismatch);
                        payout.Status = "SubmittingPayoutTransfer";
                        return JsonResult(new { });
                    default:
                        return Error(400, "action must be Confirm or Cancel");
                }
            }
        });
    }

    public override IEnumerable<OutgoingWebhook> Advance(SandboxPayout payout)
    {
        switch (payout.Status)
        {
            case "Initializing":
                payout.DepositAddress = (string?)payout.Echo["contract"] is { } contract && contract.StartsWith("0x", StringComparison.Ordinal)
                    ? "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20))
                    : Base58Address();
                payout.Status = "AwaitingPayoutConfirmation";
                if (Options.DfnsWebhookUrl is { } url)
                    yield return Webhook(url, payout);
                break;
            case "SubmittingPayoutTransfer":
                payout.Status = ShouldFail(payout) ? "Rejected" : "DepositProcessing";
                if (payout.Status == "DepositProcessing")
                    Execute(payout);
                break;
            case "DepositProcessing":
                payout.Status = "Completed";
                break;
        }
    }

    private OutgoingWebhook Webhook(Uri url, SandboxPayout payout)
    {
        var body = Json(new
        {
            id = "wh-" + Guid.NewGuid().ToString("N"),
            kind = "payout.action.required",
            date = DateTime.UtcNow,
            timestampSent = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            deliveryAttempt = 1,
            data = new { payout = PayoutJson(payout) },
        });
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Options.DfnsWebhookSecret), Encoding.UTF8.GetBytes(body)));
        return new OutgoingWebhook(url, body, new Dictionary<string, string> { ["X-DFNS-WEBHOOK-SIGNATURE"] = signature });
    }

    private static string? Validate(JsonNode body)
    {
        if (!DfnsIds.IsWalletId((string?)body["walletId"]))
            return "walletId: invalid wallet id";
        if (FindAsset(body["asset"]) is null)
            return "asset: unknown asset (kind with contract or mint)";
        if (!TryMinimum(body["asset"]?["amount"], out _))
            return "asset.amount: must match ^\\d+$";
        if (!DfnsPaymentPurposes.All.Contains((string?)body["paymentPurpose"] ?? ""))
            return "paymentPurpose: not an allowed payment purpose";
        if (string.IsNullOrEmpty((string?)body["paymentInstructionsId"]) || string.IsNullOrEmpty((string?)body["borderlessAccountId"]))
            return "borderlessAccountId and paymentInstructionsId are required";
        return (string?)body["provider"] == "Borderless" ? null : "provider: must be Borderless";
    }

    private static string? ConfirmMismatch(SandboxPayout payout, JsonNode body)
    {
        var transfer = body["transfer"];
        if ((string?)body["walletId"] != (string?)payout.Echo["walletId"])
            return "walletId does not match the payout's wallet";
        if ((string?)transfer?["to"] != payout.DepositAddress)
            return "transfer.to must equal data.depositAddress";
        if (!TryMinimum(transfer?["amount"], out var amount) || amount != (decimal)payout.Echo["minimum"]!)
            return "transfer.amount must equal the payout amount";
        if (((string?)transfer?["contract"] ?? (string?)transfer?["mint"]) != (string?)payout.Echo["contract"])
            return "transfer contract or mint does not match the payout asset";
        return null;
    }

    private static object PayoutJson(SandboxPayout payout)
    {
        var asset = Providers.Dfns.DfnsAssets.All.First(a => a.Contract == (string?)payout.Echo["contract"]);
        var status = payout.Status is "Completed" or "Rejected" or "Failed" or "Expired" or "Canceled" ? payout.Status : "Processing";
        return new
        {
            id = payout.Id,
            walletId = payout.Echo["walletId"],
            fiatCurrency = payout.Echo["fiatCurrency"],
            asset = AssetJson(asset, (decimal)payout.Echo["minimum"]!),
            externalId = payout.Key,
            status,
            provider = "Borderless",
            dateCreated = payout.CreatedAt,
            data = new
            {
                borderlessAccountId = payout.Echo["borderlessAccountId"],
                paymentInstructionsId = payout.Destination,
                paymentPurpose = payout.Echo["paymentPurpose"],
                executionStatus = payout.Status,
                country = payout.Echo["country"],
                depositAddress = payout.DepositAddress,
                transactionHash = payout.TxHash,
                statusReason = payout.Status == "Rejected" ? "Transfer rejected by policy" : null,
            },
        };
    }

    private static object AssetJson(Providers.ProviderAsset asset, decimal minimum) => asset.Kind == "Erc20"
        ? new { kind = asset.Kind, amount = minimum.ToString(CultureInfo.InvariantCulture), contract = asset.Contract, network = asset.Network, metadata = new { symbol = asset.Currency, decimals = asset.Decimals, verified = true } }
        : new { kind = asset.Kind, amount = minimum.ToString(CultureInfo.InvariantCulture), mint = asset.Contract, network = asset.Network, metadata = new { symbol = asset.Currency, decimals = asset.Decimals, verified = true } } as object;

    private static Providers.ProviderAsset? FindAsset(JsonNode? asset)
    {
        var address = (string?)asset?["contract"] ?? (string?)asset?["mint"];
        return DfnsAssets.All.FirstOrDefault(a => a.Kind == (string?)asset?["kind"] && string.Equals(a.Contract, address, StringComparison.OrdinalIgnoreCase));
    }

    private static bool TryMinimum(JsonNode? amount, out decimal value)
    {
        value = 0;
        var text = amount is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return text is not null && text.Length is > 0 and <= 28 && text.All(char.IsAsciiDigit) &&
               decimal.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static decimal FromMinimum(decimal minimum, int decimals)
    {
        for (var i = 0; i < decimals; i++)
            minimum /= 10;
        return minimum;
    }

    private static string Base58Address() =>
        string.Concat(RandomNumberGenerator.GetItems("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".AsSpan(), 44));

    private static IResult Error(int status, string message) => JsonResult(new { error = new { message } }, status);
}
