using MassTransit;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Providers;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Consumers;

/// <summary>Answers what a payout would cost at a provider. Quotes are informational.</summary>
public sealed class RequestPayoutQuoteConsumer(PayoutProviders providers, ILogger<RequestPayoutQuoteConsumer> logger)
    : IConsumer<RequestPayoutQuote>
{
    public async Task Consume(ConsumeContext<RequestPayoutQuote> context)
    {
        var request = context.Message;
        var network = Networks.Canonical(request.Amount.Network);
        if (network is null || ProviderProfiles.For(request.Provider).Find(request.Amount.Currency, network) is null)
        {
            await context.RespondAsync(new PayoutQuoteUnavailable(request.Provider,
                $"{request.Provider} does not pay out {request.Amount.Currency} on {request.Amount.Network}."));
            return;
        }

        var amount = request.Amount with { Network = network };
        ProviderQuoteResult result;
        try
        {
            result = await providers.Client(request.Provider).QuoteAsync(amount, request.Dfns, context.CancellationToken);
        }
        catch (ProviderException e)
        {
            logger.LogWarning("Quote from {Provider} failed: {Reason}", request.Provider, e.Message);
            result = ProviderQuoteResult.Unavailable($"{request.Provider} could not be asked: {e.Message}");
        }

        if (result.Quote is { } quote)
            await context.RespondAsync(quote);
        else
            await context.RespondAsync(new PayoutQuoteUnavailable(request.Provider, result.UnavailableReason ?? "no quote"));
    }
}
