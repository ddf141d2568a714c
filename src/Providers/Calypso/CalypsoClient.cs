using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Providers.Calypso;

/// <summary>
/// Calypso payouts API (seed 003): balance check before create, commission pre-calculation for
/// quotes, create with <c>idempotencyKey</c> = our payout id, look-up by id or idempotency key.
/// </summary>
public sealed class CalypsoClient(HttpClient http, IOptions<CalypsoOptions> options, TimeProvider clock) : IPayoutProviderClient
{
    public PayoutProvider Provider => PayoutProvider.Calypso;

    public async Task<ProviderSubmitResult> SubmitAsync(ProviderPayout payout, DateTime? earlierAttemptSince, CancellationToken cancellationToken)
    {
        // An earlier attempt may have created it; its amount is then no longer in the balance, and
        // the balance check below would refuse what was already paid.
        if (earlierAttemptSince is not null
            && await FindAsync(new CalypsoPayoutLookup(IdempotencyKey: payout.PayoutId), cancellationToken) is { } existing)
            return ProviderSubmitResult.Accept(CalypsoStatus.ToUpdate(existing));

        var asset = ProviderProfiles.For(Provider).Get(payout.Amount);
        var available = await AvailableAsync(asset.ProviderCode, cancellationToken);
        if (available < payout.Amount.Amount)
            return ProviderSubmitResult.Decline("insufficient_balance",
                $"Calypso balance {available} {asset.ProviderCode} is less than the payout amount {payout.Amount.Amount}.");

        var body = new CalypsoCreatePayout(payout.Destination, payout.Amount.Amount, asset.ProviderCode, payout.Memo,
            payout.PayoutId, payout.PayoutId.ToString());
        using var response = await PostAsync("api/v1/payout/create", body, changesState: true, cancellationToken);
        if (response.IsSuccessStatusCode)
            return ProviderSubmitResult.Accept(CalypsoStatus.ToUpdate(
                await ProviderHttp.ReadAsync<CalypsoPayout>(response, CalypsoJson.Options, Provider, cancellationToken)));

        ThrowIfAuthFailure(response);
        var (error, text) = await ProviderHttp.ReadErrorAsync<CalypsoError>(response, CalypsoJson.Options, cancellationToken);
        var code = error?.Code switch
        {
            // The balance was checked just before; another payout took it meanwhile.
            "INSUFFICIENT_FUNDS" => "insufficient_balance",
            "LIMIT_EXCEEDED" => "daily_limit_exceeded",
            _ => "provider_rejected",
        };
        return ProviderSubmitResult.Decline(code, error?.Message ?? text);
    }

    public async Task<ProviderPayoutUpdate?> GetAsync(ProviderPayout payout, CancellationToken cancellationToken)
    {
        var lookup = payout.ProviderReference is null
            ? new CalypsoPayoutLookup(IdempotencyKey: payout.PayoutId)
            : new CalypsoPayoutLookup(Id: payout.ProviderReference);
        var found = await FindAsync(lookup, cancellationToken);
        // The id may have come from a webhook: an answer about a payout that is not this one says nothing of it.
        return found?.IdempotencyKey == payout.PayoutId ? CalypsoStatus.ToUpdate(found) : null;
    }

    public Task<ProviderActionResult> ConfirmAsync(ProviderPayout payout, string depositAddress, CancellationToken cancellationToken) =>
        Task.FromResult(ProviderActionResult.Decline("not_supported", "Calypso API payouts start confirmed."));

    public Task<ProviderActionResult> CancelAsync(ProviderPayout payout, CancellationToken cancellationToken) =>
        Task.FromResult(ProviderActionResult.Decline("not_supported", "Calypso has no API to cancel a payout."));

    public async Task<ProviderQuoteResult> QuoteAsync(Money amount, DfnsPayoutDetails? dfns, CancellationToken cancellationToken)
    {
        var asset = ProviderProfiles.For(Provider).Get(amount);
        var body = new CalypsoFeeRequest([new CalypsoFeeItem(amount.Amount, asset.ProviderCode, "WITHDRAWAL")]);
        using var response = await PostAsync("api/v1/tariff/extended-fee", body, changesState: false, cancellationToken);
        await ThrowUnlessSuccessAsync(response, "tariff/extended-fee", cancellationToken);
        var fees = await ProviderHttp.ReadAsync<CalypsoFeeResponse>(response, CalypsoJson.Options, Provider, cancellationToken);
        var item = fees.Items.Count > 0 ? fees.Items[0] : null;
        if (item?.FeeSender is null)
            return ProviderQuoteResult.Unavailable("Calypso returned no commission for this currency.");
        // The sender pays the commission on top; the recipient gets the full amount less any receiver fee.
        var fee = item.FeeSender.Fee + (item.FeeReceiver?.Fee ?? 0m);
        var net = amount.Amount - (item.FeeReceiver?.Fee ?? 0m);
        return ProviderQuoteResult.Of(new PayoutQuote(Provider, amount, fee, amount.Currency, net, amount.Currency, clock.GetUtcNow().UtcDateTime));
    }

    private async Task<CalypsoPayout?> FindAsync(CalypsoPayoutLookup lookup, CancellationToken cancellationToken)
    {
        using var response = await PostAsync("api/v1/payout", lookup, changesState: false, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await ThrowUnlessSuccessAsync(response, "payout", cancellationToken);
        return await ProviderHttp.ReadAsync<CalypsoPayout>(response, CalypsoJson.Options, Provider, cancellationToken);
    }

    private async Task<decimal> AvailableAsync(string currency, CancellationToken cancellationToken)
    {
        using var response = await PostAsync("api/v1/account", new CalypsoEmpty(), changesState: false, cancellationToken);
        await ThrowUnlessSuccessAsync(response, "account", cancellationToken);
        var account = await ProviderHttp.ReadAsync<CalypsoAccount>(response, CalypsoJson.Options, Provider, cancellationToken);
        return account.Balances.FirstOrDefault(b => b.Currency == currency)?.Available ?? 0m;
    }

    private async Task<HttpResponseMessage> PostAsync<T>(string path, T payload, bool changesState, CancellationToken cancellationToken)
    {
        var envelope = new CalypsoEnvelope<T>(options.Value.Account, clock.GetUtcNow().ToUnixTimeMilliseconds(), payload);
        var json = JsonSerializer.Serialize(envelope, CalypsoJson.Options);
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(CalypsoSignature.KeyHeader, options.Value.PublicKey);
        request.Headers.Add(CalypsoSignature.SignHeader, CalypsoSignature.Sign(options.Value.Secret, json));
        return await ProviderHttp.SendAsync(http, request, Provider, changesState, cancellationToken);
    }

    private void ThrowIfAuthFailure(HttpResponseMessage response)
    {
        if (ProviderHttp.IsAuthFailure(response))
            throw new ProviderUnavailableException(Provider, $"request refused ({(int)response.StatusCode}): check Providers:Calypso:PublicKey, Secret and Account, and this host's clock (±3 min)");
    }

    private async Task ThrowUnlessSuccessAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        ThrowIfAuthFailure(response);
        if (!response.IsSuccessStatusCode)
            throw new ProviderUnavailableException(Provider, $"{path} answered {(int)response.StatusCode}: {await ProviderHttp.ReadTextAsync(response, cancellationToken)}");
    }
}
