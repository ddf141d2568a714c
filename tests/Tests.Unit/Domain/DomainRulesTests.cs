using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;
using Payouts.Bus.Tests.StateMachine;

namespace Payouts.Bus.Tests.Domain;

public sealed class DomainRulesTests
{
    [Theory]
    [InlineData("1000000000000000000", "must be less than")]
    [InlineData("0.0000000000000000001", "at most 18 decimal places")]
    public void Amount_outside_what_every_layer_holds_is_refused_by_name(string amount, string message)
    {
        var request = Requests.TheDex() with { Amount = new Money(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), "ETH", "Ethereum") };

        var errors = PayoutRequestValidator.Validate(request);

        Assert.Contains(errors, e => e.Field == "amount" && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"provider\":\"TheDex\"}", PayoutProvider.TheDex)]
    [InlineData("{\"provider\":\"oxapay\"}", PayoutProvider.OxaPay)]
    public void Provider_is_read_by_its_name(string json, PayoutProvider expected) =>
        Assert.Equal(expected, System.Text.Json.JsonSerializer.Deserialize<ProviderOnly>(json, System.Text.Json.JsonSerializerOptions.Web)!.Provider);

    [Theory]
    [InlineData("{\"provider\":\"TheDex,Dfns\"}")]
    [InlineData("{\"provider\":2}")]
    [InlineData("{\"provider\":\"2\"}")]
    [InlineData("{\"provider\":\" TheDex\"}")]
    public void Provider_that_is_not_one_name_is_not_read(string json) =>
        Assert.Throws<System.Text.Json.JsonException>(() => System.Text.Json.JsonSerializer.Deserialize<ProviderOnly>(json, System.Text.Json.JsonSerializerOptions.Web));

    [Fact]
    public void Bus_request_without_a_provider_is_refused_naming_it_instead_of_becoming_the_first_provider()
    {
        var request = System.Text.Json.JsonSerializer.Deserialize<RequestPayout>(
            """{"payoutId":"6b0c3b1e-2f1a-4c52-9a7e-0c2f4f0f9a11","externalId":"no-provider","amount":{"amount":"1","currency":"USDT","network":"Tron"},"destination":"TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy"}""",
            System.Text.Json.JsonSerializerOptions.Web)!;

        Assert.Contains(PayoutRequestValidator.Validate(request), e => e.Field == "provider");
    }

    private sealed record ProviderOnly(PayoutProvider Provider);

    [Theory]
    [InlineData("Tron", "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy", true)]
    [InlineData("Tron", "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqz", false)]
    [InlineData("Bitcoin", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", true)]
    [InlineData("Bitcoin", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", false)]
    [InlineData("Bitcoin", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", true)]
    [InlineData("Bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", true)]
    [InlineData("Bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp", false)]
    [InlineData("Bitcoin", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", true)]
    [InlineData("Ethereum", "0x52908400098527886E0F7030069857D2E4169EE7", true)]
    [InlineData("Ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", true)]
    [InlineData("Polygon", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", true)]
    [InlineData("Base", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", true)]
    [InlineData("Ethereum", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", true)]
    [InlineData("Ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", false)]
    [InlineData("Ethereum", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", true)]
    public void Address_is_checked_with_its_networks_checksum(string network, string address, bool valid) =>
        Assert.Equal(valid, Networks.IsValidAddress(network, address));

    [Fact]
    public void Largest_accepted_amount_converts_to_minimum_denomination_without_overflow()
    {
        var eth = TheDexProfile.Profile.Find("ETH", "Ethereum")!;

        Assert.Equal("999999999999999999" + new string('0', 18), eth.ToMinimumDenomination(Amounts.Limit - 1));
        Assert.Equal("1500000000000000000", eth.ToMinimumDenomination(1.5m));
        Assert.Equal("1", eth.ToMinimumDenomination(0.000000000000000001m));
        Assert.Throws<ArgumentException>(() => TheDexProfile.Profile.Find("USDT", "Tron")!.ToMinimumDenomination(0.0000001m));
    }

    [Theory]
    [InlineData("125.500000000000000000", 2, "125.50")]
    [InlineData("125.5", 2, "125.50")]
    [InlineData("250", 0, "250")]
    [InlineData("0.015000", 3, "0.015")]
    public void Stored_amount_is_given_back_with_the_callers_decimal_places(string stored, int scale, string spelled)
    {
        var value = decimal.Parse(stored, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(spelled, Amounts.WithScale(value, scale).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Every_state_is_either_in_flight_or_terminal_and_the_groups_hold_no_strangers()
    {
        Assert.Empty(PayoutStates.InFlight.Intersect(PayoutStates.Terminal));
        Assert.Equal(10, PayoutStates.All.Distinct().Count());
        Assert.Subset(PayoutStates.InFlight.ToHashSet(), PayoutStates.WaitingForProcessor.Concat(PayoutStates.WaitingForPerson).ToHashSet());
        Assert.Subset(PayoutStates.Terminal.ToHashSet(), PayoutStates.Unsuccessful.ToHashSet());
        Assert.Subset(PayoutStates.InFlight.ToHashSet(), PayoutStates.AtProvider.ToHashSet());
    }

    [Fact]
    public void Every_provider_has_one_profile_with_assets()
    {
        foreach (var provider in Enum.GetValues<PayoutProvider>())
        {
            var profile = ProviderProfiles.For(provider);
            Assert.Equal(provider, profile.Provider);
            Assert.NotEmpty(profile.Assets);
            Assert.All(profile.Assets, a => Assert.InRange(a.Decimals, 0, Amounts.MaxScale));
        }
    }
}
