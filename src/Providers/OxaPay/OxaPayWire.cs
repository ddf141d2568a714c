using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payouts.Bus.Providers.OxaPay;

// OxaPay bodies (seed 004, providers.md): snake_case, every answer inside {data, message, error, status, version}.

internal static class OxaPayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };
}

internal sealed record OxaPayCreatePayout(
    string Address, string Currency, decimal Amount, string Network, string CallbackUrl, string? Memo, string Description);

internal sealed record OxaPayEnvelope<T>(T? Data, string? Message, OxaPayError? Error, int Status);

internal sealed record OxaPayError(string? Type, string? Key, string? Message);

internal sealed record OxaPayCreated(string TrackId, string Status);

internal sealed record OxaPayPayout(
    string TrackId, string? Address, string? Currency, string? Network, decimal Amount, decimal? Fee,
    string Status, string? TxHash, string? Description);

/// <summary>Assumption: the history answer pages its items in <c>list</c>.</summary>
internal sealed record OxaPayHistory(IReadOnlyList<OxaPayPayout> List, OxaPayPage? Meta);

internal sealed record OxaPayPage(int Page, int LastPage, int Total);

internal sealed record OxaPayCallback(
    string TrackId, string Type, string Status, string? TxHash, string? Address, string? Currency,
    decimal Amount, string? Description);
