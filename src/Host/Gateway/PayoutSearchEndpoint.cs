using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Extensions;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;
using Payouts.Bus.Host.Access;
using Payouts.Bus.Persistence;

namespace Payouts.Bus.Host.Gateway;

/// <summary>
/// <c>GET /payouts</c>: the caller's payouts (every client's with <c>operations</c>), newest first,
/// a page at a time. The answer's <c>next</c> (and its <c>Link: rel="next"</c> header) is the same
/// list's following page; it is absent on the last. <c>Accept: text/csv</c> gives the same page as CSV.
/// Every parameter is checked and a wrong one is refused by name: a typo never widens a list silently.
/// </summary>
public static class PayoutSearchEndpoint
{
    private static readonly string[] Parameters = ["status", "provider", "currency", "createdFrom", "createdTo", "externalId", "limit", "cursor"];

    private const int MaxCurrencyLength = 16;

    public static async Task<IResult> ListAsync(HttpContext http, PayoutSearch search, CancellationToken cancellationToken)
    {
        var (filter, limit, cursor, errors) = Parse(http);
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "The list request is invalid.");

        var page = await search.PageAsync(filter, limit, cursor, cancellationToken);
        var next = page.Next is { } after ? NextPage(http.Request, after) : null;
        if (next is not null)
            http.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        var lines = page.Payouts.Select(PayoutLineView.From).ToList();
        return WantsCsv(http.Request)
            ? Results.Text(Csv(lines), "text/csv; charset=utf-8", Encoding.UTF8)
            : Results.Ok(new PayoutListView(lines, page.Next?.Encode(), next));
    }

    private static (PayoutSearchFilter Filter, int Limit, PayoutCursor? Cursor, Dictionary<string, string[]> Errors) Parse(HttpContext http)
    {
        var query = http.Request.Query;
        var errors = new Dictionary<string, string[]>();
        foreach (var unknown in query.Keys.Where(k => !Parameters.Contains(k, StringComparer.OrdinalIgnoreCase)))
            errors[unknown] = [$"is not a parameter of this list; they are {string.Join(", ", Parameters)}."];

        string? One(string name)
        {
            var values = query[name];
            if (values.Count > 1)
                errors[name] = ["must be given once."];
            var value = values.Count == 1 ? values[0] : null;
            if (value is { Length: > 0 } && (value.Any(char.IsControl) || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])))
            {
                errors[name] = ["must not contain control characters or begin or end with whitespace."];
                return null;
            }
            return string.IsNullOrEmpty(value) ? null : value;
        }

        var status = One("status") is { } s ? PayoutStates.All.FirstOrDefault(x => x.Equals(s, StringComparison.OrdinalIgnoreCase)) ?? Refuse("status", $"must be one of {string.Join(", ", PayoutStates.All)}.") : null;
        var provider = One("provider") is { } p
            ? Enum.GetNames<PayoutProvider>().FirstOrDefault(n => n.Equals(p, StringComparison.OrdinalIgnoreCase)) is { } name
                ? Enum.Parse<PayoutProvider>(name)
                : RefuseProvider()
            : (PayoutProvider?)null;
        var currency = One("currency") is { } c
            ? c.Length <= MaxCurrencyLength && c.All(char.IsAsciiLetterOrDigit) ? c.ToUpperInvariant() : Refuse("currency", $"must be 1 to {MaxCurrencyLength} letters or digits, like USDT.")
            : null;
        var externalId = One("externalId") is { } e
            ? PayoutRequestValidator.IsExternalId(e) ? e : Refuse("externalId", $"must be 1 to {PayoutRequestValidator.MaxExternalIdLength} characters of letters, digits, '.', '_', ':' or '-'.")
            : null;
        var createdFrom = Instant("createdFrom");
        var createdTo = Instant("createdTo");
        if (createdFrom >= createdTo)
            errors["createdTo"] = ["must be later than createdFrom."];
        var limit = PayoutSearch.DefaultLimit;
        if (One("limit") is { } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > PayoutSearch.MaxLimit))
            errors["limit"] = [$"must be a whole number from 1 to {PayoutSearch.MaxLimit}."];
        PayoutCursor? cursor = null;
        if (One("cursor") is { } text)
            cursor = PayoutCursor.TryDecode(text, out var decoded) ? decoded : RefuseCursor();

        // Everyone lists their own payouts; operations lists every client's.
        var client = Scopes.Has(http.User, Scopes.Operations) ? null : PayoutEndpoints.ClientOf(http);
        return (new PayoutSearchFilter(client, status, provider, currency, createdFrom, createdTo, externalId), limit, cursor, errors);

        string? Refuse(string field, string message)
        {
            errors[field] = [message];
            return null;
        }

        PayoutProvider? RefuseProvider()
        {
            errors["provider"] = [$"must be one of {PayoutProviderNames.All}."];
            return null;
        }

        PayoutCursor? RefuseCursor()
        {
            errors["cursor"] = ["is not a cursor this list gave: pass the nextCursor of the previous page as it was."];
            return null;
        }

        DateTime? Instant(string field)
        {
            if (One(field) is not { } value)
                return null;
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && value.Contains('T', StringComparison.Ordinal))
                return instant.UtcDateTime;
            errors[field] = ["must be an ISO 8601 date and time, like 2026-12-01T00:00:00Z (UTC unless an offset is given)."];
            return null;
        }
    }

    /// <summary>The same request with the cursor of the page that follows: the same filters, the same limit.</summary>
    private static string NextPage(HttpRequest request, PayoutCursor after)
    {
        var query = new QueryBuilder(request.Query.Where(q => !q.Key.Equals("cursor", StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v ?? ""))))
        {
            { "cursor", after.Encode() },
        };
        return $"{request.PathBase}{request.Path}{query}";
    }

    private static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));

    private static readonly string[] CsvColumns =
        ["payoutId", "externalId", "client", "provider", "status", "amount", "currency", "network", "destination",
            "providerReference", "txHash", "fee", "failureCode", "failureMessage", "createdAt", "updatedAt"];

    private static string Csv(IEnumerable<PayoutLineView> lines)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', CsvColumns).Append("\r\n");
        foreach (var l in lines)
        {
            string?[] fields =
            [
                l.PayoutId.ToString(), l.ExternalId, l.Client, l.Provider == default ? null : l.Provider.ToString(), l.Status, l.Amount, l.Currency, l.Network, l.Destination,
                l.ProviderReference, l.TxHash, l.Fee, l.Failure?.Code, l.Failure?.Message,
                l.CreatedAt.ToString("O", CultureInfo.InvariantCulture), l.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
            ];
            csv.AppendJoin(',', fields.Select(CsvField)).Append("\r\n");
        }
        return csv.ToString();
    }

    /// <summary>
    /// RFC 4180 quoting, and a leading apostrophe on text a spreadsheet would run as a formula: a
    /// provider's failure message is not ours to trust.
    /// </summary>
    private static string CsvField(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
