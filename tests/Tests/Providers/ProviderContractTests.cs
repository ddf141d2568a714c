using Payouts.Bus.Contracts;
using Payouts.Bus.Providers;
using Payouts.Bus.Sandbox;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Providers;

/// <summary>
/// Each client against the sandbox's version of its provider: every documented refusal arrives as a
/// decline with our code (and nothing is paid), wrong credentials make payouts wait instead of
/// failing, and quotes carry the provider's figures.
/// </summary>
public sealed class ProviderContractTests
{
    public static TheoryData<PayoutProvider, string, decimal, string?, string> Refusals => new()
    {
        // TheDex (seed 002): 422 field errors and the minimum-limit message.
        { PayoutProvider.TheDex, "125.1234567", 0, null, "invalid_amount_precision" },
        { PayoutProvider.TheDex, "125.50", 0, "TNotATronAddress", "invalid_address" },
        { PayoutProvider.TheDex, "0.5", 0, null, "below_minimum" },
        { PayoutProvider.TheDex, "125.50", 100, null, "insufficient_balance" },
        { PayoutProvider.TheDex, "125.50", -100, null, "daily_limit_exceeded" },
        // OxaPay (seed 004, providers.md result codes): error keys.
        { PayoutProvider.OxaPay, "0.123456789", 0, null, "invalid_amount" },
        { PayoutProvider.OxaPay, "0.015", 0, "bc1-not-an-address", "invalid_address" },
        { PayoutProvider.OxaPay, "0.00001", 0, null, "invalid_amount" },
        { PayoutProvider.OxaPay, "0.015", 0.01m, null, "insufficient_balance" },
        { PayoutProvider.OxaPay, "0.015", -0.01m, null, "daily_limit_exceeded" },
        // Calypso (seed 003): the balance checked before creating, and the create refused.
        { PayoutProvider.Calypso, "250", 100, null, "insufficient_balance" },
        { PayoutProvider.Calypso, "250", -100, null, "daily_limit_exceeded" },
    };

    /// <param name="account">Positive: the account's balance in the payout's currency; negative: the daily limit; 0: plenty.</param>
    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Documented_refusal_is_a_decline_with_our_code_and_nothing_is_paid(
        PayoutProvider provider, string amount, decimal account, string? destination, string code)
    {
        var sample = SandboxedProviders.Payout(provider, destination);
        var payout = sample with { Amount = sample.Amount with { Amount = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture) } };
        await using var providers = await SandboxedProviders.StartAsync(sandbox => Account(sandbox, provider, account));

        var result = await providers.Client(provider).SubmitAsync(payout, null, CancellationToken.None);

        Assert.Null(result.Accepted);
        Assert.Equal(code, result.DeclineCode);
        Assert.False(string.IsNullOrWhiteSpace(result.DeclineMessage));
        Assert.Empty(providers.Sandbox.Ledger.Transfers);
        Assert.DoesNotContain(providers.Sandbox.ApiCalls, c => c.StatusCode is >= 200 and < 300 && c.Path.EndsWith("create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Calypso_balance_too_low_is_declined_without_trying_to_create()
    {
        await using var providers = await SandboxedProviders.StartAsync(sandbox => sandbox.CalypsoBalances["USDT_TRX"] = 100m);

        var result = await providers.Client(PayoutProvider.Calypso).SubmitAsync(SandboxedProviders.Payout(PayoutProvider.Calypso), null, CancellationToken.None);

        Assert.Equal("insufficient_balance", result.DeclineCode);
        Assert.DoesNotContain(providers.Sandbox.ApiCalls, c => c.Path == "/calypso/api/v1/payout/create");
    }

    [Theory]
    [InlineData(PayoutProvider.Dfns, "Providers:Dfns:ApiToken")]
    [InlineData(PayoutProvider.TheDex, "Providers:TheDex:ApiSecret")]
    [InlineData(PayoutProvider.Calypso, "Providers:Calypso:Secret")]
    [InlineData(PayoutProvider.OxaPay, "Providers:OxaPay:PayoutApiKey")]
    public async Task Refused_credentials_make_the_payout_wait_not_fail(PayoutProvider provider, string setting)
    {
        await using var providers = await SandboxedProviders.StartAsync(settings: new Dictionary<string, string?> { [setting] = "not-the-right-one" });

        var refused = await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            providers.Client(provider).SubmitAsync(SandboxedProviders.Payout(provider), null, CancellationToken.None));

        Assert.Contains(setting.Split(':')[^1], refused.Message);
        Assert.Contains(providers.Sandbox.ApiCalls, c => c.StatusCode == 401);
        Assert.Empty(providers.Sandbox.Ledger.Transfers);
    }

    [Theory]
    [InlineData(PayoutProvider.TheDex, "1.6275", "USDT", "123.8725")]
    [InlineData(PayoutProvider.Calypso, "1.25", "USDT", "250")]
    [InlineData(PayoutProvider.Dfns, "14.50", "USD", "985.50")]
    public async Task Quote_carries_the_providers_fee_and_net_amount(PayoutProvider provider, string fee, string currency, string net)
    {
        await using var providers = await SandboxedProviders.StartAsync();
        var payout = SandboxedProviders.Payout(provider);

        var quote = (await providers.Client(provider).QuoteAsync(payout.Amount, payout.Dfns, CancellationToken.None)).Quote;

        Assert.NotNull(quote);
        Assert.Equal((decimal.Parse(fee, System.Globalization.CultureInfo.InvariantCulture), currency, decimal.Parse(net, System.Globalization.CultureInfo.InvariantCulture)),
            (quote.Fee, quote.FeeCurrency, quote.NetAmount));
    }

    [Fact]
    public async Task OxaPay_quote_is_unavailable_with_the_reason()
    {
        await using var providers = await SandboxedProviders.StartAsync();
        var payout = SandboxedProviders.Payout(PayoutProvider.OxaPay);

        var result = await providers.Client(PayoutProvider.OxaPay).QuoteAsync(payout.Amount, null, CancellationToken.None);

        Assert.Null(result.Quote);
        Assert.Contains("no payout fee API", result.UnavailableReason);
    }

    private static void Account(SandboxOptions sandbox, PayoutProvider provider, decimal account)
    {
        if (account < 0)
            sandbox.DailyLimit = -account;
        else if (account > 0)
            (provider switch
            {
                PayoutProvider.TheDex => sandbox.TheDexBalances,
                PayoutProvider.OxaPay => sandbox.OxaPayBalances,
                _ => sandbox.CalypsoBalances,
            })[provider switch { PayoutProvider.TheDex => "USDT_TRON", PayoutProvider.OxaPay => "BTC", _ => "USDT_TRX" }] = account;
    }
}
