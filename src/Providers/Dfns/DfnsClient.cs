using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Providers.Dfns;

/// <summary>
/// Dfns payouts API (seeds 000, 001): quote, create with <c>externalId</c> (Dfns returns the existing
/// payout for a known one, so creates may be retried), get, and the Confirm/Cancel actions. Creates and
/// actions are signed user actions (<see cref="DfnsUserAction"/>); quotes and look-ups are not.
/// </summary>
public sealed class DfnsClient(HttpClient http, IOptions<DfnsOptions> options) : IPayoutProviderClient
{
    private const string BorderlessProvider = "Borderless";

    public PayoutProvider Provider => PayoutProvider.Dfns;

    public async Task<ProviderSubmitResult> SubmitAsync(ProviderPayout payout, DateTime? earlierAttemptSince, CancellationToken cancellationToken)
    {
        var details = Details(payout);
        var asset = ProviderProfiles.For(Provider).Get(payout.Amount);
        var body = new DfnsCreatePayoutRequest(
            details.WalletId, ToDfnsAsset(asset, payout.Amount.Amount), details.FiatCurrency, BorderlessProvider,
            details.Country, details.BorderlessAccountId, payout.Destination, details.PaymentPurpose,
            ExternalId: payout.PayoutId.ToString());

        using var response = await SendAsync(HttpMethod.Post, "payouts", body, changesState: true, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return ProviderSubmitResult.Decline(DeclineCode(response), await ProviderHttp.ReadTextAsync(response, cancellationToken));

        var created = await ProviderHttp.ReadAsync<DfnsPayout>(response, DfnsJson.Options, Provider, cancellationToken);
        return ProviderSubmitResult.Accept(DfnsStatus.ToUpdate(created));
    }

    public async Task<ProviderPayoutUpdate?> GetAsync(ProviderPayout payout, CancellationToken cancellationToken)
    {
        // Without a Dfns id there is nothing to look up; a repeated create with our externalId finds it instead.
        if (payout.ProviderReference is null)
            return null;

        using var response = await SendAsync(HttpMethod.Get, $"payouts/{Uri.EscapeDataString(payout.ProviderReference)}", null, changesState: false, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        if (!response.IsSuccessStatusCode)
            throw new ProviderUnavailableException(Provider, $"get payout answered {(int)response.StatusCode}: {await ProviderHttp.ReadTextAsync(response, cancellationToken)}");
        var found = await ProviderHttp.ReadAsync<DfnsPayout>(response, DfnsJson.Options, Provider, cancellationToken);
        // The id may have come from a webhook: an answer about a payout that is not this one says nothing of it.
        return found.ExternalId == payout.PayoutId.ToString() ? DfnsStatus.ToUpdate(found) : null;
    }

    public async Task<ProviderActionResult> ConfirmAsync(ProviderPayout payout, string depositAddress, CancellationToken cancellationToken)
    {
        var details = Details(payout);
        var asset = ProviderProfiles.For(Provider).Get(payout.Amount);
        var minimum = asset.ToMinimumDenomination(payout.Amount.Amount);
        var transfer = asset.Kind == "Erc20"
            ? new DfnsTransfer(asset.Kind, minimum, depositAddress, Contract: asset.Contract)
            : new DfnsTransfer(asset.Kind!, minimum, depositAddress, Mint: asset.Contract);
        return await ActionAsync(payout, new DfnsConfirmAction(details.WalletId, transfer), cancellationToken);
    }

    public Task<ProviderActionResult> CancelAsync(ProviderPayout payout, CancellationToken cancellationToken) =>
        ActionAsync(payout, new DfnsCancelAction(), cancellationToken);

    public async Task<ProviderQuoteResult> QuoteAsync(Money amount, DfnsPayoutDetails? dfns, CancellationToken cancellationToken)
    {
        if (dfns is null)
            return ProviderQuoteResult.Unavailable("a Dfns quote needs the dfns details (walletId, fiatCurrency, country).");
        var asset = ProviderProfiles.For(Provider).Get(amount);
        var body = new DfnsQuoteRequest(dfns.WalletId, ToDfnsAsset(asset, amount.Amount), dfns.FiatCurrency, BorderlessProvider, dfns.Country);

        using var response = await SendAsync(HttpMethod.Post, "payouts/quote", body, changesState: false, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return ProviderQuoteResult.Unavailable($"Dfns refused the quote ({(int)response.StatusCode}): {await ProviderHttp.ReadTextAsync(response, cancellationToken)}");

        var quote = await ProviderHttp.ReadAsync<DfnsQuoteResponse>(response, DfnsJson.Options, Provider, cancellationToken);
        if (quote.Quotes.Count == 0)
            return ProviderQuoteResult.Unavailable("Dfns returned no offer for this amount.");
        var offer = quote.Quotes[0].Offer;
        return ProviderQuoteResult.Of(new PayoutQuote(Provider, amount, offer.Fees, offer.FiatCurrency, offer.Amount, offer.FiatCurrency, quote.Timestamp));
    }

    private async Task<ProviderActionResult> ActionAsync(ProviderPayout payout, object action, CancellationToken cancellationToken)
    {
        var reference = payout.ProviderReference
            ?? throw new InvalidOperationException($"Payout {payout.PayoutId} has no Dfns id yet; the saga only confirms or cancels submitted payouts.");
        using var response = await SendAsync(HttpMethod.Post, $"payouts/{Uri.EscapeDataString(reference)}/action", action, changesState: true, cancellationToken);
        return response.IsSuccessStatusCode
            ? ProviderActionResult.Success
            : ProviderActionResult.Decline(DeclineCode(response), await ProviderHttp.ReadTextAsync(response, cancellationToken));
    }

    /// <summary>
    /// Sends one call; a call that changes something is first signed as a user action over the exact
    /// body that is then sent.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, bool changesState, CancellationToken cancellationToken)
    {
        var json = body is null ? null : JsonSerializer.Serialize(body, body.GetType(), DfnsJson.Options);
        var userAction = changesState
            ? await DfnsUserAction.ObtainAsync(http, options.Value, method, "/" + path, json ?? "", cancellationToken)
            : null;

        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.ApiToken);
        if (userAction is not null)
            request.Headers.Add(DfnsUserAction.Header, userAction);
        if (json is not null)
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await ProviderHttp.SendAsync(http, request, Provider, changesState, cancellationToken);
    }

    private static DfnsAsset ToDfnsAsset(ProviderAsset asset, decimal amount) =>
        asset.Kind == "Erc20"
            ? new DfnsAsset(asset.Kind, asset.ToMinimumDenomination(amount), Contract: asset.Contract)
            : new DfnsAsset(asset.Kind!, asset.ToMinimumDenomination(amount), Mint: asset.Contract);

    private static DfnsPayoutDetails Details(ProviderPayout payout) =>
        payout.Dfns ?? throw new InvalidOperationException($"Payout {payout.PayoutId} has no Dfns details; validation should have refused it.");

    private string DeclineCode(HttpResponseMessage response) =>
        ProviderHttp.IsAuthFailure(response)
            ? throw new ProviderUnavailableException(Provider, $"credentials refused ({(int)response.StatusCode}): check Providers:Dfns:ApiToken")
            : "provider_rejected";
}
