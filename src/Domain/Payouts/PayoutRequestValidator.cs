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

    public static IReadOnlyList<FieldError> Validate(RequestPayout request)
    {
        var errors = new List<FieldError>();

        if (request.PayoutId == Guid.Empty)
            errors.Add(new("payoutId", "must be a non-empty GUID."));

        if (string.IsNullOrWhiteSpace(request.ExternalId))
            errors.Add(new("externalId", "is required: it is the idempotency key of the payout."));
        else if (request.ExternalId.Length > MaxExternalIdLength || !ExternalIdFormat().IsMatch(request.ExternalId))
            errors.Add(new("externalId", $"must be 1 to {MaxExternalIdLength} characters of letters, digits, '.', '_', ':' or '-'."));

        if (!Enum.IsDefined(request.Provider))
            errors.Add(new("provider", $"must be one of {string.Join(", ", Enum.GetNames<PayoutProvider>())}."));
        else
            ValidateAmount(request, errors);

        if (request.Memo is { Length: > 100 })
            errors.Add(new("memo", "must be at most 100 characters."));

        return errors;
    }

    private static void ValidateAmount(RequestPayout request, List<FieldError> errors)
    {
        if (request.Amount is null)
        {
            errors.Add(new("amount", "is required."));
            return;
        }

        if (request.Amount.Amount <= 0)
            errors.Add(new("amount", "must be greater than zero."));
        else if (request.Amount.Amount >= Amounts.Limit)
            errors.Add(new("amount", $"must be less than {Amounts.Limit:0}."));
        else if (request.Amount.Amount.Scale > Amounts.MaxScale)
            errors.Add(new("amount", $"must be written with at most {Amounts.MaxScale} decimal places."));

        var network = Networks.Canonical(request.Amount.Network);
        if (network is null)
        {
            errors.Add(new("network", $"'{request.Amount.Network}' is not a network this processor knows."));
            return;
        }

        var profile = ProviderProfiles.For(request.Provider);
        var asset = profile.Find(request.Amount.Currency ?? "", network);
        if (asset is null)
        {
            var supported = string.Join(", ", profile.Assets.Select(a => $"{a.Currency}/{a.Network}"));
            errors.Add(new("currency", $"{request.Provider} does not pay out '{request.Amount.Currency}' on {network}. Supported: {supported}."));
            return;
        }

        if (Amounts.Scale(request.Amount.Amount) > asset.Decimals)
            errors.Add(new("amount", $"{asset.Currency} on {asset.Network} allows at most {asset.Decimals} decimal places at {request.Provider}."));

        if (request.Provider == PayoutProvider.Dfns)
            ValidateDfns(request, errors);
        else if (string.IsNullOrWhiteSpace(request.Destination))
            errors.Add(new("destination", "is required: the address to pay to."));
        else if (!Networks.IsValidAddress(network, request.Destination))
            errors.Add(new("destination", $"'{request.Destination}' is not a valid {network} address."));
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
