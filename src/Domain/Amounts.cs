namespace Payouts.Bus.Domain;

/// <summary>
/// Rules for payout amounts. An amount keeps the spelling its caller gave it ("125.50" stays
/// "125.50" in every answer and event): a .NET decimal carries its scale, so only storage that
/// drops or pads it needs <see cref="WithScale"/>.
/// </summary>
public static class Amounts
{
    /// <summary>Decimal places any amount may have: what every database column can hold exactly.</summary>
    public const int MaxScale = 18;

    /// <summary>Amounts must be below this (18 integer digits), so that every layer holds them exactly.</summary>
    public const decimal Limit = 1_000_000_000_000_000_000m;

    /// <summary>Decimal places actually used, ignoring trailing zeros ("1.500" uses 1).</summary>
    public static int Scale(decimal amount) => (amount / 1.000000000000000000000000000000000m).Scale;

    /// <summary>The same value written with exactly <paramref name="scale"/> decimal places, when no digit is lost.</summary>
    public static decimal WithScale(decimal amount, int scale)
    {
        var rounded = decimal.Round(amount, scale);
        if (rounded != amount)
            return amount;
        // Adding a zero of the wanted scale raises the scale; rounding above lowered it.
        return rounded + new decimal(0, 0, 0, false, (byte)scale);
    }
}
