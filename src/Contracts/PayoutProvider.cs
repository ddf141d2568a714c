using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payouts.Bus.Contracts;

/// <summary>
/// The payout providers this processor pays through. No member is zero: a request that leaves the
/// provider out is routed (see <c>Routing</c>), never quietly sent to the first provider.
/// </summary>
[JsonConverter(typeof(PayoutProviderJsonConverter))]
public enum PayoutProvider
{
    Dfns = 1,
    TheDex = 2,
    Calypso = 3,
    OxaPay = 4,
}

public static class PayoutProviderNames
{
    /// <summary>
    /// A provider by its name alone (any letter case): numbers, comma lists and padded names are
    /// not names, however <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/> would read them.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out PayoutProvider provider)
    {
        foreach (var candidate in Enum.GetValues<PayoutProvider>())
        {
            if (string.Equals(candidate.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                provider = candidate;
                return true;
            }
        }
        provider = default;
        return false;
    }

    public static string All => string.Join(", ", Enum.GetNames<PayoutProvider>());
}

/// <summary>
/// Reads and writes a provider as its name, strictly (see <see cref="PayoutProviderNames.TryParse"/>);
/// null is no provider (a request the processor routes), written for the undefined zero.
/// </summary>
public sealed class PayoutProviderJsonConverter : JsonConverter<PayoutProvider>
{
    public override bool HandleNull => true;

    public override PayoutProvider Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? default
        : reader.TokenType == JsonTokenType.String && PayoutProviderNames.TryParse(reader.GetString(), out var provider) ? provider
        : throw new JsonException($"The provider must be one of {PayoutProviderNames.All}, as a string, or null to let the processor choose.");

    public override void Write(Utf8JsonWriter writer, PayoutProvider value, JsonSerializerOptions options)
    {
        if (value == default)
            writer.WriteNullValue();
        else
            writer.WriteStringValue(value.ToString());
    }
}
