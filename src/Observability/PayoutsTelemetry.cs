using System.Diagnostics;

namespace Payouts.Bus.Observability;

/// <summary>
/// The processor's own span source. MassTransit, ASP.NET Core and HttpClient bring theirs
/// (<see cref="TracedSources"/>); together they make one trace per payout.
/// </summary>
public static class PayoutsTelemetry
{
    public const string Name = "Payouts.Bus";

    /// <summary>Every source whose spans belong to a payout's trace.</summary>
    public static readonly IReadOnlyList<string> TracedSources = [Name, "MassTransit", "Microsoft.AspNetCore", "System.Net.Http"];

    // An ActivitySource holds no state of ours: listeners attach to it by name.
    public static readonly ActivitySource Source = new(Name);

    /// <summary>Attribute names, following OpenTelemetry's lower-case dotted style.</summary>
    public static class Tags
    {
        public const string PayoutId = "payout.id";
        public const string Provider = "payout.provider";
        public const string State = "payout.state";
        public const string FromState = "payout.state.from";
        public const string Operation = "payout.provider.operation";
        public const string Outcome = "outcome";
        public const string ErrorType = "error.type";
        public const string Queue = "messaging.destination.name";
    }
}
