using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Providers.TheDex;

/// <summary>
/// TheDex payouts API (seed 002). TheDex has no idempotency key, so a payout carries our payout id
/// in <c>description</c>, and a submit after an earlier attempt first looks for a payout with that
/// description, in the history since that attempt: a create whose outcome was lost is found, never sent twice.
/// </summary>
public sealed class TheDexClient(HttpClient http, IOptions<TheDexOptions> options, TheDexNonce nonce, TimeProvider clock) : IPayoutProviderClient
{
    public PayoutProvider Provider => PayoutProvider.TheDex;

    public async Task<ProviderSubmitResult> SubmitAsync(ProviderPayout payout, DateTime? earlierAttemptSince, CancellationToken cancellationToken)
    {
        if (earlierAttemptSince is { } since && await FindByDescriptionAsync(payout, since, cancellationToken) is { } existing)
            return ProviderSubmitResult.Accept(TheDexStatus.ToUpdate(existing));

        var asset = ProviderProfiles.For(Provider).Get(payout.Amount);
        var body = new TheDexCreatePayout(
            "/api/v1/payouts/create", nonce.Next(), payout.Amount.Amount, asset.ProviderCode, payout.Destination,
            payout.Memo, Description(payout.PayoutId), options.Value.CallbackUrl!.ToString());

        using var response = await PostAsync("payouts/create", body, changesState: true, cancellationToken);
        if (response.IsSuccessStatusCode)
            return ProviderSubmitResult.Accept(TheDexStatus.ToUpdate(
                await ProviderHttp.ReadAsync<TheDexPayout>(response, TheDexJson.Options, Provider, cancellationToken)));

        var (code, message) = await DeclineAsync(response, cancellationToken);
        return ProviderSubmitResult.Decline(code, message);
    }

    public async Task<ProviderPayoutUpdate?> GetAsync(ProviderPayout payout, CancellationToken cancellationToken)
    {
        if (payout.ProviderReference is null)
        {
            var found = await FindByDescriptionAsync(payout, payout.RequestedAt, cancellationToken);
            return found is null ? null : TheDexStatus.ToUpdate(found);
        }

        using var response = await PostAsync("payouts/one",
            new TheDexPayoutOne("/api/v1/payouts/one", nonce.Next(), payout.ProviderReference), changesState: false, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await ThrowUnlessSuccessAsync(response, "payouts/one", cancellationToken);
        var answer = await ProviderHttp.ReadAsync<TheDexPayout>(response, TheDexJson.Options, Provider, cancellationToken);
        // The id may have come from a webhook: an answer about a payout that is not this one says nothing of it.
        return answer.Description == Description(payout.PayoutId) ? TheDexStatus.ToUpdate(answer) : null;
    }

    public Task<ProviderActionResult> ConfirmAsync(ProviderPayout payout, string depositAddress, CancellationToken cancellationToken) =>
        Task.FromResult(ProviderActionResult.Decline("not_supported", "TheDex payouts need no confirmation."));

    public Task<ProviderActionResult> CancelAsync(ProviderPayout payout, CancellationToken cancellationToken) =>
        Task.FromResult(ProviderActionResult.Decline("not_supported", "TheDex has no API to cancel a payout."));

    public async Task<ProviderQuoteResult> QuoteAsync(Money amount, DfnsPayoutDetails? dfns, CancellationToken cancellationToken)
    {
        var asset = ProviderProfiles.For(Provider).Get(amount);
        using var response = await PostAsync("commissions/payout",
            new TheDexCommissionRequest("/api/v1/commissions/payout", nonce.Next()), changesState: false, cancellationToken);
        await ThrowUnlessSuccessAsync(response, "commissions/payout", cancellationToken);
        var commission = await ProviderHttp.ReadAsync<TheDexCommission>(response, TheDexJson.Options, Provider, cancellationToken);

        // Assumption (undocumented): userPayoutCommission is a percentage of the amount, and the
        // blockchain fee is charged on top, in the pay currency.
        var percent = ParseOrZero(commission.UserPayoutCommission);
        var network = ParseOrZero(commission.PayoutBlockchainFee?.FirstOrDefault(f => f.Monetary == asset.ProviderCode)?.BlockchainFee);
        var fee = decimal.Round(amount.Amount * percent / 100m, asset.Decimals) + network;
        return ProviderQuoteResult.Of(new PayoutQuote(Provider, amount, fee, amount.Currency, amount.Amount - fee, amount.Currency, clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>The description that marks a TheDex payout as ours; callbacks are matched back by it.</summary>
    public static string Description(Guid payoutId) => payoutId.ToString();

    /// <summary>TheDex's history has no paging: the search covers only the time our attempts can have created it in.</summary>
    private async Task<TheDexPayout?> FindByDescriptionAsync(ProviderPayout payout, DateTime since, CancellationToken cancellationToken)
    {
        var margin = options.Value.LookupMargin;
        var from = new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc) - margin).ToUnixTimeMilliseconds();
        var to = (clock.GetUtcNow() + margin).ToUnixTimeMilliseconds();
        using var response = await PostAsync("payouts", new TheDexPayoutHistory("/api/v1/payouts", nonce.Next(), from, to),
            changesState: false, cancellationToken);
        await ThrowUnlessSuccessAsync(response, "payouts", cancellationToken);
        var payouts = await ProviderHttp.ReadAsync<List<TheDexPayout>>(response, TheDexJson.Options, Provider, cancellationToken);
        return payouts.FirstOrDefault(p => p.Description == Description(payout.PayoutId));
    }

    private async Task<HttpResponseMessage> PostAsync<T>(string path, T body, bool changesState, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body, TheDexJson.Options);
        var payload = TheDexSignature.Payload(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(TheDexSignature.ApiKeyHeader, options.Value.ApiKey);
        request.Headers.Add(TheDexSignature.PayloadHeader, payload);
        request.Headers.Add(TheDexSignature.SignatureHeader, TheDexSignature.Sign(options.Value.ApiSecret, payload));
        return await ProviderHttp.SendAsync(http, request, Provider, changesState, cancellationToken);
    }

    private async Task ThrowUnlessSuccessAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        ThrowIfAuthFailure(response);
        if (!response.IsSuccessStatusCode)
            throw new ProviderUnavailableException(Provider, $"{path} answered {(int)response.StatusCode}: {await ProviderHttp.ReadTextAsync(response, cancellationToken)}");
    }

    private void ThrowIfAuthFailure(HttpResponseMessage response)
    {
        if (ProviderHttp.IsAuthFailure(response))
            throw new ProviderUnavailableException(Provider, $"request refused ({(int)response.StatusCode}): check Providers:TheDex:ApiKey, ApiSecret and the IP whitelist");
    }

    /// <summary>The documented 400 and 422 bodies, as our failure codes.</summary>
    private async Task<(string Code, string Message)> DeclineAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ThrowIfAuthFailure(response);

        var (error, text) = await ProviderHttp.ReadErrorAsync<TheDexError>(response, TheDexJson.Options, cancellationToken);

        if (error?.Errors is { Count: > 0 } fields)
        {
            var (field, message) = fields.First();
            var code = field switch
            {
                "amountInPayCurrency" => "invalid_amount_precision",
                "balance" => "insufficient_balance",
                "address" => "invalid_address",
                "limit" => "daily_limit_exceeded",
                _ => "provider_rejected",
            };
            return (code, message);
        }

        var detail = error?.Message ?? text;
        if (detail.Contains("below the minimum", StringComparison.OrdinalIgnoreCase))
            return ("below_minimum", detail);
        if (detail.Contains("Cannot create payout", StringComparison.OrdinalIgnoreCase))
            return ("blockchain_error", detail);
        return (response.StatusCode == HttpStatusCode.BadRequest ? "invalid_request" : "provider_rejected", detail);
    }

    private static decimal ParseOrZero(string? text) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : 0m;
}
