using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Payouts.Bus.Sandbox;

/// <summary>
/// A transfer the sandbox executed: money that would have left the account. <paramref name="ClientKey"/> is
/// what the client marked the payout with (Dfns externalId, Calypso idempotencyKey, TheDex and OxaPay
/// description): our payout id, so that a payout paid twice under two provider references shows.
/// </summary>
public sealed record SandboxTransfer(string Provider, string Reference, string? ClientKey, decimal Amount, string Currency, string Destination, string TxHash, DateTime At);

/// <summary>
/// Payouts the sandbox holds, per provider, and the transfers it executed. Each simulated
/// provider keeps its own records; the ledger is what tests count to prove "paid exactly once".
/// </summary>
public sealed class SandboxLedger
{
    private readonly ConcurrentQueue<SandboxTransfer> _transfers = new();

    public IReadOnlyList<SandboxTransfer> Transfers => _transfers.ToArray();

    internal void Execute(SandboxTransfer transfer) => _transfers.Enqueue(transfer);

    internal static string NewTxHash() => "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    internal static string NewId(string prefix, int length) =>
        prefix + string.Concat(RandomNumberGenerator.GetItems("abcdefghijklmnopqrstuvwxyz0123456789".AsSpan(), length));
}

/// <summary>One simulated payout, as any of the providers keeps it.</summary>
internal sealed class SandboxPayout
{
    public required string Id { get; init; }
    public required string Provider { get; init; }
    /// <summary>What the client may find it by: Dfns externalId, Calypso idempotencyKey, TheDex/OxaPay description.</summary>
    public string? Key { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required string Destination { get; init; }
    public string? CallbackUrl { get; init; }
    public DateTime CreatedAt { get; init; } = DateTime.UtcNow;
    public required string Status { get; set; }
    public string? TxHash { get; set; }
    public string? DepositAddress { get; set; }
    /// <summary>The request body fields a provider echoes back, kept as received.</summary>
    public Dictionary<string, object?> Echo { get; init; } = [];

    public readonly Lock Gate = new();
}
