using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payouts.Bus.Contracts;

/// <summary>
/// An exact amount of one currency on one network ("125.50 USDT on TRON").
/// The amount travels as a decimal string so that no JSON reader rounds it to binary floating point.
/// </summary>
public sealed record Money(
    [property: JsonConverter(typeof(ExactDecimalJsonConverter))] decimal Amount,
    string Currency,
    string Network)
{
    public override string ToString() =>
        $"{Amount.ToString(CultureInfo.InvariantCulture)} {Currency} ({Network})";
}

/// <summary>
/// Writes a decimal as a JSON string and reads it from a string or a number,
/// exactly, in the invariant culture. Exponents, thousands separators and blanks are refused.
/// </summary>
public sealed class ExactDecimalJsonConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetDecimal(out var number))
                return number;
            throw new JsonException("The amount is not a representable decimal number.");
        }

        if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var value))
            return value;

        throw new JsonException("The amount must be a decimal number written as a string, like \"125.50\".");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));

    public static bool TryParse(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture, out value);
}
