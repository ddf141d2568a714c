using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// Configuration section <c>Routing</c>: which providers may pay a payout that names none, in order
/// of preference. The first rule that matches the payout's currency, network and amount gives the
/// order; with none matching, <see cref="Order"/> does (every provider, in the order of
/// <see cref="ProviderProfiles.All"/>, when it is empty).
/// </summary>
public sealed class RoutingOptions
{
    public const string Section = "Routing";

    public List<PayoutProvider> Order { get; set; } = [];

    public List<RoutingRule> Rules { get; set; } = [];

    /// <summary>How often the providers of rules that prefer the lowest fee are asked for a quote.</summary>
    public TimeSpan FeeRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>One routing rule: payouts of this currency (and network), within this amount band, go to these providers in this order.</summary>
public sealed class RoutingRule
{
    public string? Currency { get; set; }
    public string? Network { get; set; }
    /// <summary>Inclusive.</summary>
    public decimal? MinAmount { get; set; }
    /// <summary>Exclusive.</summary>
    public decimal? MaxAmount { get; set; }
    public List<PayoutProvider> Providers { get; set; } = [];
    /// <summary>Order the providers by the fee they last quoted (at <see cref="QuoteAmount"/>), lowest first; those without a quote keep their place after them.</summary>
    public bool PreferLowestFee { get; set; }

    /// <summary>The amount fees are compared at: <see cref="MinAmount"/>, else 100.</summary>
    public decimal QuoteAmount => MinAmount is > 0 and var min ? min : 100m;

    public bool Matches(Money amount) =>
        (Currency is null || string.Equals(Currency, amount.Currency, StringComparison.OrdinalIgnoreCase))
        && (Network is null || string.Equals(Networks.Canonical(Network) ?? Network, Networks.Canonical(amount.Network) ?? amount.Network, StringComparison.OrdinalIgnoreCase))
        && (MinAmount is null || amount.Amount >= MinAmount)
        && (MaxAmount is null || amount.Amount < MaxAmount);

    public override string ToString() =>
        $"{Currency ?? "any currency"} on {Network ?? "any network"}{(MinAmount is { } min ? $" from {min}" : "")}{(MaxAmount is { } max ? $" below {max}" : "")}";
}

/// <summary>What the processor knows now of a provider's health: whether its calls would be tried at all.</summary>
public interface IProviderHealth
{
    /// <summary>False while the provider's circuit is open: calls to it fail at once.</summary>
    bool IsAvailable(PayoutProvider provider);
}

/// <summary>A provider's quoted fee for an asset, as last asked.</summary>
public sealed record QuotedFee(decimal Fee, string FeeCurrency, decimal Amount, DateTime QuotedAt);

/// <summary>What each provider last quoted as its fee for an asset; null when it has not (or cannot: some publish no fee API).</summary>
public interface IProviderFees
{
    QuotedFee? Latest(PayoutProvider provider, string currency, string network);
}

/// <summary>The providers that may pay a payout, best first, and why; empty with the reason when none may.</summary>
public sealed record PayoutRoute(IReadOnlyList<PayoutProvider> Providers, string Reason)
{
    public PayoutProvider? Chosen => Providers.Count > 0 ? Providers[0] : null;
}

/// <summary>
/// Chooses the provider of a payout that names none: the configured order for its asset and amount,
/// keeping only providers configured here that pay that asset and accept the payout as it is (the
/// same checks as a payout that names its provider), and putting those whose circuit is open last.
/// Failover asks again with the providers already tried left out.
/// </summary>
public sealed class PayoutRouter(RoutingOptions options, ConfiguredProviders configured, IProviderHealth health, IProviderFees fees)
{
    public PayoutRoute Route(RequestPayout request, IReadOnlyCollection<PayoutProvider> tried)
    {
        var amount = request.Amount ?? new Money(0, "", "");
        var (rule, number) = options.Rules.Select((r, i) => ((RoutingRule?)r, i + 1)).FirstOrDefault(x => x.Item1!.Matches(amount));
        var order = rule?.Providers ?? (options.Order.Count > 0 ? options.Order : [.. ProviderProfiles.All.Select(p => p.Provider)]);
        var basis = rule is null ? $"the default order ({string.Join(", ", order)})" : $"rule {number} ({rule}: {string.Join(", ", order)})";

        var skipped = new List<string>();
        var eligible = new List<PayoutProvider>();
        foreach (var provider in order.Distinct())
        {
            if (tried.Contains(provider))
                skipped.Add($"{provider} (tried)");
            else if (!configured.Has(provider))
                skipped.Add($"{provider} (not configured here)");
            else if (PayoutRequestValidator.Validate(request with { Provider = provider }) is { Count: > 0 } errors)
                skipped.Add($"{provider} ({errors[0].Field} {errors[0].Message.TrimEnd('.')})");
            else
                eligible.Add(provider);
        }
        var byFee = "";
        if (rule is { PreferLowestFee: true })
        {
            // A fee in another currency than the payout's cannot be compared: such a provider keeps its place with those unquoted.
            decimal? FeeOf(PayoutProvider p) => fees.Latest(p, amount.Currency, amount.Network) is { } q
                && string.Equals(q.FeeCurrency, amount.Currency, StringComparison.OrdinalIgnoreCase) ? q.Fee : null;
            eligible = [.. eligible.OrderBy(p => FeeOf(p) ?? decimal.MaxValue)];
            byFee = $", lowest quoted fee first ({string.Join(", ", eligible.Select(p => $"{p} {(FeeOf(p) is { } f ? $"{f} {amount.Currency}" : "not quoted")}"))})";
        }
        // A provider whose circuit is open is tried last, not dropped: when every one is down the payout waits for the first.
        var down = eligible.Where(p => !health.IsAvailable(p)).ToList();
        var ordered = eligible.Except(down).Concat(down).ToList();
        skipped.AddRange(down.Select(p => $"{p} (circuit open, last)"));
        var notes = byFee + (skipped.Count > 0 ? $"; {string.Join(", ", skipped)}" : "");
        return ordered.Count > 0
            ? new PayoutRoute(ordered, $"{ordered[0]}, by {basis}{notes}")
            : new PayoutRoute([], $"no provider here can pay {amount.Amount} {amount.Currency} on {amount.Network}: by {basis}{notes}");
    }
}

/// <summary>
/// Which refusals of a create say that nothing was created: only after one of them, on a first
/// attempt (no earlier one can have created the payout), may a routed payout go to another provider.
/// A provider that is down (its circuit open) is passed over when a payout is routed; a payout
/// already sent to it waits for it, as any payout does.
/// </summary>
public static class ProviderFailover
{
    private static readonly HashSet<string> NothingCreatedCodes =
        ["insufficient_balance", "daily_limit_exceeded", "unsupported_currency", "unsupported_network"];

    public static bool LeavesNothingCreated(string code) => NothingCreatedCodes.Contains(code);
}
