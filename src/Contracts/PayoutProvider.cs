using System.Text.Json.Serialization;

namespace Payouts.Bus.Contracts;

/// <summary>The payout providers this processor pays through.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PayoutProvider>))]
public enum PayoutProvider
{
    Dfns,
    TheDex,
    Calypso,
    OxaPay,
}
