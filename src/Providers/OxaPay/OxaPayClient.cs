using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Providers.OxaPay;

/// <summary>
/// OxaPay payouts API (seed 004). No idempotency key: our payout id travels in <c>description</c>, and
/// a submit after an earlier attempt first searches the payout history since that attempt for it,
/// every page of it, so a create whose answer was lost is found instead of being sent again.
/// </summary>
public sealed class OxaPayClient(HttpClient http, IOptions<OxaPayOptions> options, TimeProvider clock) : IPayoutProviderClient
{
    public PayoutProvider Provider => PayoutProvider.OxaPay;

    /// <summary>The most rows OxaPay returns in one page of history.</summary>
    public const int HistoryPageSize = 200;

    public async Task<ProviderSubmitResult> SubmitAsync(ProviderPayout payout, DateTime? earlierAttemptSince, CancellationToken cancellationToken)
    {
        if (earlierAttemptSince is { } since && await FindByDescriptionAsync(payout, since, cancellationToken) is { } existing)
            return ProviderSubmitResult.Accept(OxaPayStatus.ToUpdate(existing));

        var asset = ProviderProfiles.For(Provider).Get(payout.Amount);
        var body = new OxaPayCreatePayout(payout.Destination, asset.Currency, payout.Amount.Amount, asset.ProviderCode,
            options.Value.CallbackUrl!.ToString(), payout.Memo, payout.PayoutId.ToString());
        using var request = Request(HttpMethod.Post, "payout");
        request.Content = JsonContent.Create(body, options: OxaPayJson.Options);
        using var response = await ProviderHttp.SendAsync(http, request, Provider, changesState: true, cancellationToken);

        if (response.IsSuccessStatusCode)
        {
            var created = await ProviderHttp.ReadAsync<OxaPayEnvelope<OxaPayCreated>>(response, OxaPayJson.Options, Provider, cancellationToken);
            if (created.Data is null)
                throw new ProviderOutcomeUnknownException(Provider, $"payout answered 200 without data: {created.Message}");
            return ProviderSubmitResult.Accept(new ProviderPayoutUpdate(created.Data.TrackId, OxaPayStatus.Map(created.Data.Status), created.Data.Status));
        }

        ThrowIfNotADecision(response);
        var (envelope, text) = await ProviderHttp.ReadErrorAsync<OxaPayEnvelope<object>>(response, OxaPayJson.Options, cancellationToken);
        return ProviderSubmitResult.Decline(DeclineCode(envelope?.Error), envelope?.Error?.Message ?? $"OxaPay answered {(int)response.StatusCode}: {text}");
    }

    public async Task<ProviderPayoutUpdate?> GetAsync(ProviderPayout payout, CancellationToken cancellationToken)
    {
        if (payout.ProviderReference is null)
        {
            var found = await FindByDescriptionAsync(payout, payout.RequestedAt, cancellationToken);
            return found is null ? null : OxaPayStatus.ToUpdate(found);
        }

        using var request = Request(HttpMethod.Get, $"payout/{Uri.EscapeDataString(payout.ProviderReference)}");
        using var response = await ProviderHttp.SendAsync(http, request, Provider, changesState: false, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await ThrowUnlessSuccessAsync(response, cancellationToken);
        var envelope = await ProviderHttp.ReadAsync<OxaPayEnvelope<OxaPayPayout>>(response, OxaPayJson.Options, Provider, cancellationToken);
        // The id may have come from a webhook: an answer about a payout that is not this one says nothing of it.
        return envelope.Data?.Description == payout.PayoutId.ToString() ? OxaPayStatus.ToUpdate(envelope.Data!) : null;
    }

    public Task<ProviderActionResult> ConfirmAsync(ProviderPayout payout, string depositAddress, CancellationToken cancellationToken) =>
        Task.FromResult(ProviderActionResult.Decline("not_supported", "OxaPay payouts need no confirmation."));

    public Task<ProviderActionResult> CancelAsync(ProviderPayout payout, CancellationToken cancellationToken) =>
        Task.FromResult(ProviderActionResult.Decline("not_supported", "OxaPay has no API to cancel a payout."));

    public Task<ProviderQuoteResult> QuoteAsync(Money amount, DfnsPayoutDetails? dfns, CancellationToken cancellationToken) =>
        Task.FromResult(ProviderQuoteResult.Unavailable("OxaPay publishes no payout fee API; its fee is known once the payout is made."));

    /// <summary>
    /// Pages through the history from our first attempt until now. A page may hold fewer rows than
    /// asked for, and the history may grow while we read it: reading stops only at the last page.
    /// </summary>
    private async Task<OxaPayPayout?> FindByDescriptionAsync(ProviderPayout payout, DateTime since, CancellationToken cancellationToken)
    {
        var margin = options.Value.LookupMargin;
        var from = (new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)) - margin).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var to = (clock.GetUtcNow() + margin).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var description = payout.PayoutId.ToString();
        for (var page = 1; ; page++)
        {
            using var request = Request(HttpMethod.Get, $"payout?from_date={from}&to_date={to}&size={HistoryPageSize}&page={page}");
            using var response = await ProviderHttp.SendAsync(http, request, Provider, changesState: false, cancellationToken);
            await ThrowUnlessSuccessAsync(response, cancellationToken);
            var history = (await ProviderHttp.ReadAsync<OxaPayEnvelope<OxaPayHistory>>(response, OxaPayJson.Options, Provider, cancellationToken)).Data
                ?? throw new ProviderUnavailableException(Provider, $"payout history page {page} answered without data");
            if (history.List.FirstOrDefault(p => p.Description == description) is { } found)
                return found;
            if (history.Meta is null || page >= history.Meta.LastPage || history.List.Count == 0)
                return null;
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(OxaPaySignature.ApiKeyHeader, options.Value.PayoutApiKey);
        return request;
    }

    private void ThrowIfNotADecision(HttpResponseMessage response)
    {
        if (ProviderHttp.IsAuthFailure(response))
            throw new ProviderUnavailableException(Provider, $"request refused ({(int)response.StatusCode}): check Providers:OxaPay:PayoutApiKey and its IP restriction");
    }

    private async Task ThrowUnlessSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ThrowIfNotADecision(response);
        if (!response.IsSuccessStatusCode)
            throw new ProviderUnavailableException(Provider, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await ProviderHttp.ReadTextAsync(response, cancellationToken)}");
    }

    /// <summary>
    /// OxaPay's error keys (providers.md result codes) as our failure codes. Key <c>amount</c> covers
    /// both too many decimals (101) and below the minimum (127); the message says which.
    /// </summary>
    private static string DeclineCode(OxaPayError? error) => error?.Key switch
    {
        "address" => "invalid_address",
        "currency" => "unsupported_currency",
        "network" => "unsupported_network",
        "amount" => "invalid_amount",
        "balance" => "insufficient_balance",
        "limit" => "daily_limit_exceeded",
        _ => "provider_rejected",
    };
}
