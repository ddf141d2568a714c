using System.Collections.Concurrent;
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
/// Dfns payouts (seeds 000, 001) under <c>/dfns</c>: quote, create (idempotent on externalId),
/// get, Confirm/Cancel actions. A payout moves Initializing → AwaitingPayoutConfirmation (webhook
/// <c>payout.action.required</c>) → [Confirm] → SubmittingPayoutTransfer → DepositProcessing → Completed.
/// Completion sends no webhook, as at Dfns. Creates and actions need a user-action token from the
/// challenge flow (<c>/auth/action/init</c>, <c>/auth/action</c>), signed with the configured credential.
/// </summary>
internal sealed class DfnsSandbox(SandboxOptions options, SandboxLedger ledger) : SimulatedProvider(options, ledger)
{
    private const string FeePercent = "1.45";
    private static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Challenges handed out and not yet answered, by challengeIdentifier.</summary>
    private readonly ConcurrentDictionary<string, UserActionGrant> _challenges = new();

    /// <summary>User-action tokens issued and not yet expired: each allows one call, with that method, path and body.</summary>
    private readonly ConcurrentDictionary<string, UserActionGrant> _userActions = new();

    private sealed record UserActionGrant(string Method, string Path, string Payload, string Challenge, DateTime ExpiresAt, bool Used = false);

    public override string Name => "Dfns";

    public override PathString PathPrefix => "/dfns";

    public override bool IsCreate(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Equals("/dfns/payouts", StringComparison.Ordinal);

    public override IResult Unavailable() => Error(503, "Service temporarily unavailable");

    /// <summary>Dfns gives each retry a new event id, names the first in <c>retryOf</c>, counts the attempt and signs again.</summary>
    public override OutgoingWebhook Redeliver(OutgoingWebhook first, int attempt)
    {
        var body = JsonNode.Parse(first.Body)!.AsObject();
        body["retryOf"] = (string?)body["id"];
        body["id"] = "wh-" + Guid.NewGuid().ToString("N");
        body["deliveryAttempt"] = attempt;
        body["timestampSent"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Signed(first.Url, body.ToJsonString());
    }

    public override void Map(IEndpointRouteBuilder app)
    {
        var dfns = app.MapGroup("/dfns").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers.Authorization == $"Bearer {Options.DfnsApiToken}"
                ? await next(context)
                : Error(401, "Unauthorized: invalid or missing bearer token"));

        dfns.MapPost("/auth/action/init", async (HttpRequest request) =>
        {
            var body = ParseOrNull(await ReadBodyAsync(request));
            var payload = (string?)body?["userActionPayload"];
            var method = (string?)body?["userActionHttpMethod"];
            var path = (string?)body?["userActionHttpPath"];
            if (payload is null || method is null || path is null || (string?)body?["userActionServerKind"] != "Api")
                return Error(400, "userActionPayload, userActionHttpMethod, userActionHttpPath and userActionServerKind \"Api\" are required");
            ForgetExpired();
            var challenge = SandboxLedger.NewId("", 43);
            var identifier = "cs-" + SandboxLedger.NewId("", 24);
            _challenges[identifier] = new UserActionGrant(method, path, payload, challenge, DateTime.UtcNow + ChallengeLifetime);
            return JsonResult(new
            {
                challenge,
                challengeIdentifier = identifier,
                allowCredentials = new { key = new[] { new { type = "public-key", id = Options.DfnsCredentialId } }, webauthn = Array.Empty<object>() },
                userVerification = "required",
            });
        });

        dfns.MapPost("/auth/action", async (HttpRequest request) =>
        {
            var body = ParseOrNull(await ReadBodyAsync(request));
            if (!_challenges.TryRemove((string?)body?["challengeIdentifier"] ?? "", out var grant) || grant.ExpiresAt < DateTime.UtcNow)
                return Error(401, "challenge not found or expired");
            var refusal = VerifyAssertion(body!["firstFactor"], grant.Challenge);
            if (refusal is not null)
                return Error(401, refusal);
            var userAction = "ua-" + SandboxLedger.NewId("", 40);
            _userActions[userAction] = grant with { ExpiresAt = DateTime.UtcNow + ChallengeLifetime };
            return JsonResult(new { userAction });
        });

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
            var raw = await ReadBodyAsync(request);
            if (UserActionRefusal(request, "/payouts", raw) is { } refused)
                return refused;
            var body = ParseOrNull(raw);
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
            return JsonResult(PayoutJson(AddOnce(payout)));
        });

        dfns.MapGet("/payouts/{id}", (string id) =>
            Payouts.TryGetValue(id, out var payout) ? JsonResult(PayoutJson(payout)) : Error(404, $"Payout {id} not found"));

        dfns.MapPost("/payouts/{id}/action", async (string id, HttpRequest request) =>
        {
            var raw = await ReadBodyAsync(request);
            if (UserActionRefusal(request, $"/payouts/{id}/action", raw) is { } refused)
                return refused;
            if (!Payouts.TryGetValue(id, out var payout))
                return Error(404, $"Payout {id} not found");
            var body = ParseOrNull(raw);
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
                        Wake(payout);
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
        return Signed(url, body);
    }

    private OutgoingWebhook Signed(Uri url, string body)
    {
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Options.DfnsWebhookSecret), Encoding.UTF8.GetBytes(body)));
        return new OutgoingWebhook(url, body, new Dictionary<string, string> { ["X-DFNS-WEBHOOK-SIGNATURE"] = signature });
    }

    /// <summary>
    /// A change needs a user-action token issued for exactly this method, path and body, used once.
    /// Assumption: Dfns answers a missing, mismatched or reused token with 401 (it documents the
    /// "user action has already been used" message, not the status).
    /// </summary>
    private IResult? UserActionRefusal(HttpRequest request, string path, byte[] body)
    {
        var token = request.Headers["X-DFNS-USERACTION"].ToString();
        if (string.IsNullOrEmpty(token))
            return Error(401, "X-DFNS-USERACTION is required for this call");
        if (!_userActions.TryGetValue(token, out var grant) || grant.ExpiresAt < DateTime.UtcNow)
            return Error(401, "user action is not valid");
        if (grant.Used || !_userActions.TryUpdate(token, grant with { Used = true }, grant))
            return Error(401, "user action has already been used");
        if (grant.Method != request.Method || grant.Path != path || grant.Payload != Encoding.UTF8.GetString(body))
            return Error(401, "user action was signed for another request");
        return null;
    }

    /// <summary>Drops challenges and tokens past their lifetime, so that a long-running sandbox does not grow.</summary>
    private void ForgetExpired()
    {
        var now = DateTime.UtcNow;
        foreach (var (key, grant) in _challenges)
            if (grant.ExpiresAt < now)
                _challenges.TryRemove(key, out _);
        foreach (var (key, grant) in _userActions)
            if (grant.ExpiresAt < now)
                _userActions.TryRemove(key, out _);
    }

    /// <summary>Checks a Key credential's assertion: our credential, clientData for this challenge, a valid ECDSA P-256 signature.</summary>
    private string? VerifyAssertion(JsonNode? firstFactor, string challenge)
    {
        var assertion = firstFactor?["credentialAssertion"];
        if ((string?)firstFactor?["kind"] != "Key" || (string?)assertion?["credId"] != Options.DfnsCredentialId)
            return "unknown credential";
        byte[] clientData, signature;
        try
        {
            clientData = FromBase64Url((string?)assertion?["clientData"] ?? "");
            signature = FromBase64Url((string?)assertion?["signature"] ?? "");
        }
        catch (FormatException)
        {
            return "clientData and signature must be base64url";
        }
        var data = ParseOrNull(clientData);
        if ((string?)data?["type"] != "key.get" || (string?)data?["challenge"] != challenge || string.IsNullOrEmpty((string?)data?["origin"]))
            return "clientData does not answer this challenge";
        using var key = ECDsa.Create();
        key.ImportFromPem(Options.DfnsCredentialPublicKey);
        return key.VerifyData(clientData, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence) ? null : "signature does not verify";
    }

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='));
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
        var asset = DfnsProfile.Assets.First(a => a.Contract == (string?)payout.Echo["contract"]);
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

    private static object AssetJson(ProviderAsset asset, decimal minimum) => asset.Kind == "Erc20"
        ? new { kind = asset.Kind, amount = minimum.ToString(CultureInfo.InvariantCulture), contract = asset.Contract, network = asset.Network, metadata = new { symbol = asset.Currency, decimals = asset.Decimals, verified = true } }
        : new { kind = asset.Kind, amount = minimum.ToString(CultureInfo.InvariantCulture), mint = asset.Contract, network = asset.Network, metadata = new { symbol = asset.Currency, decimals = asset.Decimals, verified = true } } as object;

    private static ProviderAsset? FindAsset(JsonNode? asset)
    {
        var address = (string?)asset?["contract"] ?? (string?)asset?["mint"];
        return DfnsProfile.Assets.FirstOrDefault(a => a.Kind == (string?)asset?["kind"] && string.Equals(a.Contract, address, StringComparison.OrdinalIgnoreCase));
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
