using System.Reflection;
using MassTransit;

namespace Payouts.Bus.Contracts;

/// <summary>
/// The names of the broker's exchanges, taken from each message's pinned <see cref="MessageUrnAttribute"/>
/// rather than from its .NET type: <c>payouts:request-payout</c> becomes the exchange
/// <c>payouts.request-payout</c>, and the fault of a message its name plus <c>.fault</c>. A team on
/// another language reads them in the README; a C# rename never moves them. A .NET upstream that
/// references this assembly sets it once:
/// <c>cfg.MessageTopology.SetEntityNameFormatter(new BusEntityNames(cfg.MessageTopology.EntityNameFormatter))</c>.
/// </summary>
public sealed class BusEntityNames(IEntityNameFormatter fallback) : IEntityNameFormatter
{
    private const string UrnPrefix = "urn:message:";

    /// <summary>
    /// The commands another language may publish as plain JSON (no MassTransit envelope), by the
    /// exchange they are published to. Provider news and the saga's own messages are not among them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Type> PlainJsonCommands = new[]
        { typeof(RequestPayout), typeof(RequestPayoutBatch), typeof(ConfirmPayout), typeof(CancelPayout) }
        .ToDictionary(type => NameOf(type)!, StringComparer.Ordinal);

    /// <summary>The lifecycle events upstream systems subscribe to; their exchanges exist from the processor's start.</summary>
    public static readonly IReadOnlyList<Type> Events =
    [
        typeof(PayoutAccepted), typeof(PayoutRejected), typeof(PayoutAlreadyRequested), typeof(PayoutSubmitted),
        typeof(PayoutAwaitingConfirmation), typeof(PayoutCompleted), typeof(PayoutFailed), typeof(PayoutCanceled),
        typeof(PayoutExpired), typeof(PayoutCommandRejected), typeof(PayoutBatchAccepted), typeof(PayoutBatchRejected), typeof(PayoutBatchCompleted),
    ];

    public string FormatEntityName<T>() => NameOf(typeof(T)) ?? fallback.FormatEntityName<T>();

    /// <summary>The exchange of one of our messages, or null for a type that is not ours.</summary>
    public static string? NameOf(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Fault<>))
            return NameOf(type.GetGenericArguments()[0]) is { } name ? $"{name}.fault" : null;
        var urn = type.GetCustomAttribute<MessageUrnAttribute>()?.Urn.ToString();
        if (urn is null || !urn.StartsWith(UrnPrefix + "payouts:", StringComparison.Ordinal))
            return null;
        return urn[UrnPrefix.Length..].Replace(':', '.');
    }

    /// <summary>The message type string MassTransit matches consumers on (<c>urn:message:payouts:request-payout</c>).</summary>
    public static string MessageTypeOf(Type type) => MessageUrn.ForTypeString(type);
}
