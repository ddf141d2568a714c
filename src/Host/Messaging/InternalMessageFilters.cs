using MassTransit;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Host.Messaging;

/// <summary>
/// Signs what MassTransit sends or publishes outside the outbox (faults), when it is internal. Runs
/// before the caller's own pipe: a message whose id the caller sets goes through the outbox, which
/// signs it again once the id is final (see <see cref="InternalMessageSignature"/>).
/// </summary>
public sealed class SignInternalMessagesFilter<T>(InternalMessageSignature signature) : IFilter<SendContext<T>>, IFilter<PublishContext<T>>
    where T : class
{
    public Task Send(SendContext<T> context, IPipe<SendContext<T>> next)
    {
        signature.Sign(context);
        return next.Send(context);
    }

    public Task Send(PublishContext<T> context, IPipe<PublishContext<T>> next)
    {
        signature.Sign(context);
        return next.Send(context);
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
