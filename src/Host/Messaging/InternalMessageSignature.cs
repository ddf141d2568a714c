using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Payouts.Bus.Contracts;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Host.Messaging;

/// <summary>
/// Defence in depth behind the broker's permissions: every internal message (provider news, the
/// saga's commands to providers, its timers, and their faults: <c>payouts.processing.…</c> and
/// <c>payouts.saga.…</c>) carries an HMAC-SHA256 of its type and message id under
/// <c>Bus:InternalMessageKey</c>, and is checked before anything consumes it. Without the key no
/// one can make a message id that passes; a copy of a signed message has an id the inbox already
/// consumed. A message that fails goes to <c>_error</c> with the reason and changes nothing.
/// </summary>
public sealed class InternalMessageSignature(byte[] key)
{
    public const string Header = "Payouts-Signature";

    /// <summary>Internal messages are ours only: their exchanges are <c>payouts.processing.…</c> and <c>payouts.saga.…</c> (faults included).</summary>
    public static bool IsInternal(Type type) =>
        BusEntityNames.NameOf(type) is { } name
        && (name.StartsWith("payouts.processing.", StringComparison.Ordinal) || name.StartsWith("payouts.saga.", StringComparison.Ordinal));

    public string Sign(Type type, Guid messageId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{MessageUrn.ForTypeString(type)}\n{messageId:N}")));

    public bool Verify(Type type, Guid? messageId, string? signature) =>
        messageId is { } id && signature is { Length: 64 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(type, id)), Encoding.ASCII.GetBytes(signature));
}

/// <summary>Signs what the processor sends or publishes, when it is internal (see <see cref="InternalMessageSignature"/>).</summary>
public sealed class SignInternalMessagesFilter<T>(InternalMessageSignature signature) : IFilter<SendContext<T>>, IFilter<PublishContext<T>>
    where T : class
{
    private static readonly bool Internal = InternalMessageSignature.IsInternal(typeof(T));

    public Task Send(SendContext<T> context, IPipe<SendContext<T>> next)
    {
        Sign(context);
        return next.Send(context);
    }

    public Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next)
    {
        Sign(context);
        return next.Send(context);
    }

    private void Sign(SendContext<T> context)
    {
        if (Internal && context.MessageId is { } id)
            context.Headers.Set(InternalMessageSignature.Header, signature.Sign(typeof(T), id));
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("sign-internal-messages");
}

/// <summary>Refuses an internal message whose signature is missing or wrong, before any consumer or the saga sees it.</summary>
public sealed class VerifyInternalMessagesFilter<T>(InternalMessageSignature signature, ILogger<InternalMessageSignature> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    private static readonly bool Internal = InternalMessageSignature.IsInternal(typeof(T));

    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (Internal && !signature.Verify(typeof(T), context.MessageId, context.Headers.Get<string>(InternalMessageSignature.Header)))
        {
            logger.LogWarning("Message {MessageId} ({MessageType}) refused: it is internal and its {Header} is missing or wrong",
                context.MessageId, TypeCache<T>.ShortName, InternalMessageSignature.Header);
            throw new UntrustedMessageException(
                $"{MessageUrn.ForTypeString<T>()} is internal to the processor and this one's {InternalMessageSignature.Header} is missing or wrong: it was not sent by a processor holding Bus:InternalMessageKey.");
        }
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("verify-internal-messages");
}
