namespace Payouts.Bus.Domain;

/// <summary>
/// What makes a payout request unique: its external id, within the client that sent it. Two
/// clients may use the same external id for two payouts; one client repeating it means the same payout.
/// </summary>
public static class PayoutIdempotency
{
    /// <summary>The external id alone for a payout of no client; otherwise client and external id, which neither may split (no control characters in either).</summary>
    public static string Key(string? client, string? externalId) =>
        string.IsNullOrEmpty(client) ? externalId ?? "" : client + "\n" + externalId;
}
