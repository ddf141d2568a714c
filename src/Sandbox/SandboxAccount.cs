namespace Payouts.Bus.Sandbox;

/// <summary>
/// A merchant account at a simulated provider: what it holds per currency, reserved when a payout is
/// created, and how much it may pay out per currency per UTC day. A currency with no balance
/// configured holds plenty.
/// </summary>
internal sealed class SandboxAccount(IReadOnlyDictionary<string, decimal> balances, decimal? dailyLimit)
{
    private readonly Dictionary<string, decimal> _balances = new(balances);
    private readonly Dictionary<(string Currency, DateOnly Day), decimal> _paid = [];
    private readonly Lock _gate = new();

    public enum Refusal
    {
        None,
        InsufficientBalance,
        DailyLimit,
    }

    /// <summary>Takes the amount from the account, or says why it cannot (with what is available).</summary>
    public (Refusal Refusal, decimal Available) Reserve(string currency, decimal amount)
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        lock (_gate)
        {
            var paid = _paid.GetValueOrDefault((currency, day));
            if (dailyLimit is { } limit && paid + amount > limit)
                return (Refusal.DailyLimit, limit - paid);
            if (_balances.TryGetValue(currency, out var balance))
            {
                if (balance < amount)
                    return (Refusal.InsufficientBalance, balance);
                _balances[currency] = balance - amount;
            }
            _paid[(currency, day)] = paid + amount;
            return (Refusal.None, 0m);
        }
    }

    /// <summary>Gives back what a payout that failed had reserved.</summary>
    public void Refund(string currency, decimal amount)
    {
        lock (_gate)
            if (_balances.TryGetValue(currency, out var balance))
                _balances[currency] = balance + amount;
    }

    public IReadOnlyDictionary<string, decimal> Balances
    {
        get
        {
            lock (_gate)
                return new Dictionary<string, decimal>(_balances);
        }
    }
}
