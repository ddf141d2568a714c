using System.Text.RegularExpressions;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Domain;

/// <summary>
/// The checks every payout request passes before it is accepted, whichever way it came in
/// (HTTP gateway or bus). A request that fails them never reaches a provider.
/// Field names are the JSON names of the HTTP body, so errors point at what the caller wrote.
/// </summary>
public static partial class PayoutRequestValidator
{
    public const int MaxExternalIdLength = 100;
    public const int MaxClientLength = 100;

    public static IReadOnlyList<FieldError> Validate(RequestPayout request)
    {
        var errors = new List<FieldError>();
        CheckText(errors, ("client", request.Client), ("externalId", request.ExternalId), ("currency", request.Amount?.Currency), ("network", request.Amount?.Network),
            ("destination", request.Destination), ("memo", request.Memo), ("dfns.walletId", request.Dfns?.WalletId),
            ("dfns.fiatCurrency", request.Dfns?.FiatCurrency), ("dfns.country", request.Dfns?.Country),
            ("dfns.borderlessAccountId", request.Dfns?.BorderlessAccountId), ("dfns.paymentPurpose", request.Dfns?.PaymentPurpose));
        if (errors.Count > 0)
            return errors;

        if (request.PayoutId == Guid.Empty)
            errors.Add(new("payoutId", "must be a non-empty GUID."));

        if (string.IsNullOrWhiteSpace(request.ExternalId))
            errors.Add(new("externalId", "is required: it is the idempotency key of the payout."));
        else if (!IsExternalId(request.ExternalId))
            errors.Add(new("externalId", $"must be 1 to {MaxExternalIdLength} characters of letters, digits, '.', '_', ':' or '-'."));

        if (!Enum.IsDefined(request.Provider))
            errors.Add(new("provider", $"is required: one of {PayoutProviderNames.All}."));
        else if (ValidateMoney(request.Provider, request.Amount, errors) is { } network)
            ValidateDestination(request, network, errors);

        if (request.Client is { Length: > MaxClientLength })
            errors.Add(new("client", $"must be at most {MaxClientLength} characters."));

        if (request.Memo is { Length: > 100 })
            errors.Add(new("memo", "must be at most 100 characters."));

        return errors;
    }

    /// <summary>
    /// The checks an intake (HTTP, a batch) makes before handing a request to the saga: all of them
    /// for a request that names its provider; for one that names none, those that do not depend on
    /// a provider (the saga routes it and checks it against the provider it chooses).
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateAtIntake(RequestPayout request) =>
        request.Provider == default ? [.. Validate(request).Where(e => e.Field != "provider")] : Validate(request);

    /// <summary>1 to <see cref="MaxExternalIdLength"/> characters of the external id alphabet.</summary>
    public static bool IsExternalId(string value) => value.Length is > 0 and <= MaxExternalIdLength && ExternalIdFormat().IsMatch(value);

    /// <summary>A quote is asked for what could be paid: the same provider, amount and asset rules as a payout.</summary>
    public static IReadOnlyList<FieldError> ValidateQuote(RequestPayoutQuote quote)
    {
        var errors = new List<FieldError>();
        CheckText(errors, ("currency", quote.Amount?.Currency), ("network", quote.Amount?.Network));
        if (errors.Count > 0)
            return errors;
        if (!Enum.IsDefined(quote.Provider))
            errors.Add(new("provider", $"is required: one of {PayoutProviderNames.All}."));
        else
            ValidateMoney(quote.Provider, quote.Amount, errors);
        return errors;
    }

    /// <returns>The canonical network when amount, currency and network are payable at the provider.</returns>
    private static string? ValidateMoney(PayoutProvider provider, Money? amount, List<FieldError> errors)
    {
        if (amount is null)
        {
            errors.Add(new("amount", "is required."));
            return null;
        }

        if (amount.Amount <= 0)
            errors.Add(new("amount", "must be greater than zero."));
        else if (amount.Amount >= Amounts.Limit)
            errors.Add(new("amount", $"must be less than {Amounts.Limit:0}."));
        else if (amount.Amount.Scale > Amounts.MaxScale)
            errors.Add(new("amount", $"must be written with at most {Amounts.MaxScale} decimal places."));

        var network = Networks.Canonical(amount.Network);
        if (network is null)
        {
            errors.Add(new("network", $"'{amount.Network}' is not a network this processor knows."));
            return null;
        }

        var profile = ProviderProfiles.For(provider);
        var asset = profile.Find(amount.Currency ?? "", network);
        if (asset is null)
        {
            var supported = string.Join(", ", profile.Assets.Select(a => $"{a.Currency}/{a.Network}"));
            errors.Add(new("currency", $"{provider} does not pay out '{amount.Currency}' on {network}. Supported: {supported}."));
            return null;
        }

        if (Amounts.Scale(amount.Amount) > asset.Decimals)
            errors.Add(new("amount", $"{asset.Currency} on {asset.Network} allows at most {asset.Decimals} decimal places at {provider}."));
        return network;
    }

    private static void ValidateDestination(RequestPayout request, string network, List<FieldError> errors)
    {
        if (request.Provider == PayoutProvider.Dfns)
            ValidateDfns(request, errors);
        else if (string.IsNullOrWhiteSpace(request.Destination))
            errors.Add(new("destination", "is required: the address to pay to."));
        else if (!Networks.IsValidAddress(network, request.Destination))
            errors.Add(new("destination", $"is not a valid {network} address."));
    }

    /// <summary>
    /// Every string is used exactly as written (paid to, signed, shown): one that holds control or
    /// invisible formatting characters, or begins or ends with whitespace, is refused by name rather
    /// than trimmed or passed on.
    /// </summary>
    public static void CheckText(List<FieldError> errors, params ReadOnlySpan<(string Field, string? Value)> fields)
    {
        foreach (var (field, value) in fields)
        {
            if (string.IsNullOrEmpty(value))
                continue;
            if (value.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
                errors.Add(new(field, "must not contain control or invisible formatting characters (a newline, NUL, zero-width or direction mark)."));
            else if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
                errors.Add(new(field, "must not begin or end with whitespace: it is used exactly as written."));
        }
    }

    private static void ValidateDfns(RequestPayout request, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(request.Destination) || request.Destination.Length > 64)
            errors.Add(new("destination", "is required for Dfns: the Borderless payment instructions id (the bank account), at most 64 characters."));

        if (request.Dfns is null)
        {
            errors.Add(new("dfns", "is required for Dfns payouts: walletId, fiatCurrency, country, borderlessAccountId, paymentPurpose."));
            return;
        }

        if (!DfnsIds.IsWalletId(request.Dfns.WalletId))
            errors.Add(new("dfns.walletId", "must look like wa-xxxxx-xxxxx-xxxxxxxxxxxxxx."));
        if (string.IsNullOrWhiteSpace(request.Dfns.FiatCurrency) || request.Dfns.FiatCurrency.Length != 3)
            errors.Add(new("dfns.fiatCurrency", "must be a three-letter ISO 4217 code, like USD."));
        if (string.IsNullOrWhiteSpace(request.Dfns.Country) || request.Dfns.Country.Length != 2)
            errors.Add(new("dfns.country", "must be a two-letter ISO 3166 code, like US."));
        if (string.IsNullOrWhiteSpace(request.Dfns.BorderlessAccountId))
            errors.Add(new("dfns.borderlessAccountId", "is required."));
        if (!DfnsPaymentPurposes.All.Contains(request.Dfns.PaymentPurpose ?? ""))
            errors.Add(new("dfns.paymentPurpose", $"must be one of: {string.Join(", ", DfnsPaymentPurposes.All)}."));
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex ExternalIdFormat();
}
