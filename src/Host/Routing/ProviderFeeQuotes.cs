using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Host.Routing;

/// <summary>
/// The fees providers last quoted, for routing rules that prefer the lowest fee. In memory, per host:
/// a fact about now, refreshed every <see cref="RoutingOptions.FeeRefreshInterval"/>; a quote three
/// intervals old no longer counts.
/// </summary>
public sealed class ProviderFeeBook(IOptions<RoutingOptions> options, TimeProvider clock) : IProviderFees
{
    private readonly ConcurrentDictionary<(PayoutProvider, string, string), QuotedFee> _fees = new();

    public QuotedFee? Latest(PayoutProvider provider, string currency, string network) =>
        _fees.TryGetValue(Key(provider, currency, network), out var fee) && clock.GetUtcNow().UtcDateTime - fee.QuotedAt < 3 * options.Value.FeeRefreshInterval
            ? fee
            : null;

    public void Record(PayoutProvider provider, string currency, string network, QuotedFee fee) => _fees[Key(provider, currency, network)] = fee;

    private static (PayoutProvider, string, string) Key(PayoutProvider provider, string currency, string network) =>
        (provider, currency.ToUpperInvariant(), Networks.Canonical(network) ?? network);
}

/// <summary>Asks the providers of every rule that prefers the lowest fee for a quote, at start and then every <see cref="RoutingOptions.FeeRefreshInterval"/>.</summary>
public sealed class ProviderFeeRefresher(IOptions<RoutingOptions> options, PayoutProviders providers, ProviderFeeBook book, TimeProvider clock,
    ILogger<ProviderFeeRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rules = options.Value.Rules.Where(r => r.PreferLowestFee).ToList();
        if (rules.Count == 0)
            return;
        using var timer = new PeriodicTimer(options.Value.FeeRefreshInterval, clock);
        do
        {
            foreach (var rule in rules)
                foreach (var provider in rule.Providers.Where(providers.Configured.Has))
                    await QuoteAsync(provider, new Money(rule.QuoteAmount, rule.Currency!, rule.Network!), stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task QuoteAsync(PayoutProvider provider, Money amount, CancellationToken stoppingToken)
    {
        if (ProviderProfiles.For(provider).Find(amount.Currency, amount.Network) is null)
            return;
        try
        {
            var result = await providers.Client(provider).QuoteAsync(amount, null, stoppingToken);
            if (result.Quote is { } quote)
                book.Record(provider, amount.Currency, amount.Network, new QuotedFee(quote.Fee, quote.FeeCurrency, amount.Amount, quote.QuotedAt));
            else
                logger.LogDebug("{Provider} quotes no fee for {Currency} on {Network}: {Reason}", provider, amount.Currency, amount.Network, result.UnavailableReason);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Its last quote stands until it is three intervals old; routing does not wait for a provider to answer.
            logger.LogInformation("{Provider}: no fee quote for routing this time ({Error})", provider, e.Message);
        }
    }
}

public static class ProviderFeeQuotesExtensions
{
    /// <summary>The fee book routing reads, and the service that fills it.</summary>
    public static IServiceCollection AddProviderFeeQuotes(this IServiceCollection services)
    {
        services.AddSingleton<ProviderFeeBook>();
        services.AddSingleton<IProviderFees>(sp => sp.GetRequiredService<ProviderFeeBook>());
        services.AddHostedService<ProviderFeeRefresher>();
        return services;
    }
}
