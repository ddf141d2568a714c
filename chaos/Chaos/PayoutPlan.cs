using MassTransit;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Chaos;

/// <summary>One payout the run asks for and how it must end.</summary>
/// <param name="CancelWhenAwaiting">A Dfns payout upstream cancels instead of confirming.</param>
public sealed record PlannedPayout(RequestPayout Request, string Expected, bool CancelWhenAwaiting);

/// <summary>A request that repeats an earlier payout's externalId: with the same content it is that payout; with other content it is refused.</summary>
public sealed record RepeatedRequest(RequestPayout Request, PlannedPayout Of, bool OtherContent);

/// <summary>
/// What the run sends, in order: payouts over the four providers with varied amounts, some to
/// destinations the sandbox fails, some Dfns payouts canceled rather than confirmed, and now and then a
/// repeat of an earlier externalId (same content, or other content).
/// </summary>
public sealed class PayoutPlan
{
    public const string FailingTron = "TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf";
    public const string FailingPaymentInstructions = "pi-sandbox-rejects-this-account";
    private const string Tron = "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy";
    private const string PaymentInstructions = "pi-sample-bank-account-0001";
    private static readonly DfnsPayoutDetails Dfns = new("wa-5pfuu-9euek-h0odgb6snva8ph3k", "USD", "US", "sample-borderless-account", "salary payment");

    private readonly Dictionary<string, PlannedPayout> _byExternalId = [];

    public PayoutPlan(string run, int payouts)
    {
        ExternalIdPrefix = $"chaos-{run}-";
        for (var i = 0; i < payouts; i++)
        {
            var payout = Payout(run, i);
            _byExternalId[payout.Request.ExternalId] = payout;
            Payouts.Add(payout);
            Sends.Add(payout);
            if (i % 50 == 49)
                Add(new RepeatedRequest(Payouts[i - 20].Request with { PayoutId = NewId.NextGuid() }, Payouts[i - 20], OtherContent: false));
            if (i % 100 == 99)
            {
                var earlier = Payouts[i - 30];
                var other = earlier.Request.Amount with { Amount = earlier.Request.Amount.Amount + 1 };
                Add(new RepeatedRequest(earlier.Request with { PayoutId = NewId.NextGuid(), Amount = other }, earlier, OtherContent: true));
            }
        }
    }

    /// <summary>What every externalId of the run begins with.</summary>
    public string ExternalIdPrefix { get; }

    public List<PlannedPayout> Payouts { get; } = [];
    public List<RepeatedRequest> Repeats { get; } = [];

    /// <summary>Payouts and repeats, in the order they are sent.</summary>
    public List<object> Sends { get; } = [];

    /// <summary>
    /// The planned payout of an externalId. Events are matched by it, not by payout id: when a repeat with the
    /// same content reaches the processor first, the payout carries the repeat's id and the first request is
    /// the one answered <c>PayoutAlreadyRequested</c>.
    /// </summary>
    public PlannedPayout? Find(string externalId) => _byExternalId.GetValueOrDefault(externalId);

    private void Add(RepeatedRequest repeat)
    {
        Repeats.Add(repeat);
        Sends.Add(repeat);
    }

    private static PlannedPayout Payout(string run, int i)
    {
        var failing = i % 17 == 5;
        var cents = (i % 97) / 100m;
        var externalId = $"chaos-{run}-{i}";
        var id = NewId.NextGuid();
        return (i % 4) switch
        {
            0 => new PlannedPayout(new RequestPayout(id, externalId, PayoutProvider.Dfns, new Money(100 + cents, "USDC", "Polygon"),
                    failing ? FailingPaymentInstructions : PaymentInstructions, Dfns: Dfns),
                failing ? "Failed" : i % 40 == 0 ? "Canceled" : "Completed", CancelWhenAwaiting: !failing && i % 40 == 0),
            1 => Crypto(id, externalId, PayoutProvider.TheDex, 10 + cents, failing),
            2 => Crypto(id, externalId, PayoutProvider.Calypso, 20 + cents, failing),
            _ => Crypto(id, externalId, PayoutProvider.OxaPay, 15 + cents, failing),
        };
    }

    private static PlannedPayout Crypto(Guid id, string externalId, PayoutProvider provider, decimal amount, bool failing) =>
        new(new RequestPayout(id, externalId, provider, new Money(amount, "USDT", "Tron"), failing ? FailingTron : Tron),
            failing ? "Failed" : "Completed", CancelWhenAwaiting: false);
}
