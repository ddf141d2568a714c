using MassTransit;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Host.Messaging;

/// <summary>
/// Signs every internal message as it leaves for the broker, sent or published, whatever sent it: the
/// last step before the wire, when its message id is final and no pipe can replace the header. A publish
/// filter is not enough: MassTransit sends the fault of a failed consumer (<c>Fault&lt;SubmitProviderPayout&gt;</c>)
/// without running the bus's publish filters, and the fault then carries the signature copied from the
/// message that failed, which the saga rightly refuses.
/// </summary>
public sealed class SignInternalMessagesObserver(InternalMessageSignature signature) : ISendObserver, IPublishObserver
{
    public Task PreSend<T>(SendContext<T> context) where T : class
    {
        signature.Sign(context);
        return Task.CompletedTask;
    }

    public Task PrePublish<T>(PublishContext<T> context) where T : class
    {
        signature.Sign(context);
        return Task.CompletedTask;
    }

    public Task PostSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;

    public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
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
