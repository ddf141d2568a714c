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
        if (PayoutRequestValidator.ValidateQuote(request) is { Count: > 0 } errors)
        {
            await context.RespondAsync(new PayoutQuoteUnavailable(request.Provider,
                string.Join(" ", errors.Select(e => $"{e.Field} {e.Message}"))));
            return;
        }
        if (!providers.Configured.Has(request.Provider))
        {
            await context.RespondAsync(new PayoutQuoteUnavailable(request.Provider, providers.Configured.Describe(request.Provider)));
            return;
        }

        var amount = request.Amount with { Network = Networks.Canonical(request.Amount.Network)! };
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
