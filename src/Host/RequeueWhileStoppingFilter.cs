using MassTransit;

namespace Payouts.Bus.Host;

/// <summary>
/// First filter of every RabbitMQ endpoint's error pipe: a message that fails while the host is stopping
/// is not dead-lettered but returned to its queue (the broker's nack), where a host that is not stopping
/// takes it. Stopping cancels consumers mid-work and cuts their retries short (and disposes the services
/// they use), so what fails then has not failed for reasons of its own; a rolling deploy must leave
/// nothing in the <c>_error</c> queues. A message that truly cannot be processed fails again there.
/// </summary>
public sealed class RequeueWhileStoppingFilter(IHostApplicationLifetime lifetime, ILogger logger) : IFilter<ExceptionReceiveContext>
{
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (!lifetime.ApplicationStopping.IsCancellationRequested)
            return next.Send(context);
        logger.LogWarning("Message {MessageId} was not finished when the host began stopping ({Error}): returned to its queue for another host",
            context.GetMessageId(), context.Exception.GetType().Name);
        // Faulting the receive makes the transport nack the delivery with requeue.
        return Task.FromException(context.Exception);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("requeue-while-stopping");
}
