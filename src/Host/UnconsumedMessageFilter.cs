using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Rescue;

namespace Payouts.Bus.Host;

/// <summary>
/// A message that no consumer on the endpoint handles (an unknown or misrouted message type) is an
/// upstream mistake someone must see: it is moved to the endpoint's <c>_error</c> queue with a fault
/// and the reason in its headers, like any poison message, instead of quietly to <c>_skipped</c>.
/// MassTransit's own <c>ThrowOnSkippedMessages</c> would throw past the error pipe and make the
/// broker redeliver the message forever.
/// </summary>
public sealed class UnconsumedMessageFilter(IPipe<ExceptionReceiveContext> errorPipe) : IFilter<ReceiveContext>
{
    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        var reason = new MessageNotConsumedException(context.InputAddress,
            "The message was not consumed: no consumer on this endpoint handles its message type (messageType in the body)");
        return errorPipe.Send(new RescueExceptionReceiveContext(context, reason));
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("unconsumed-to-error-queue");
}
