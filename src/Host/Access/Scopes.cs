using System.Security.Claims;

namespace Payouts.Bus.Host.Access;

/// <summary>What a caller may do; an endpoint names the one scope it needs.</summary>
public static class Scopes
{
    /// <summary>Request payouts and quotes.</summary>
    public const string PayoutsWrite = "payouts:write";
    /// <summary>Read payouts.</summary>
    public const string PayoutsRead = "payouts:read";
    /// <summary>Confirm or cancel payouts.</summary>
    public const string PayoutsApprove = "payouts:approve";
    /// <summary>The dashboard, its data and the metrics.</summary>
    public const string Operations = "operations";

    /// <summary>A policy, not a scope: lists of payouts, the caller's own with <see cref="PayoutsRead"/>, everyone's with <see cref="Operations"/>.</summary>
    public const string PayoutsReadOrOperations = "payouts:read|operations";

    public static readonly IReadOnlyList<string> All = [PayoutsWrite, PayoutsRead, PayoutsApprove, Operations];

    /// <summary>The claim that holds one granted scope per claim.</summary>
    public const string ClaimType = "scope";

    public static IEnumerable<string> Parse(string? scopes) =>
        (scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static bool Has(ClaimsPrincipal user, string scope) => user.HasClaim(ClaimType, scope);
}
