using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace Payouts.Bus.Persistence.Outbox;

/// <summary>
/// Publishes from outside a consumer (an HTTP request) through the database: the message is stored
/// and committed before the caller answers, and the delivery service sends it right after. A
/// webhook acknowledged to its provider is therefore never lost, even if the host dies at once.
/// </summary>
public sealed class PayoutsBusOutbox(PayoutsDbContext db, IBus bus, IServiceProvider services) : OutboxSendContext
{
    /// <param name="messageId">
    /// A message id fixed by the caller, so that the same fact stored twice is consumed once; a new one when null.
    /// </param>
    public async Task PublishAsync<T>(T message, Guid? messageId, CancellationToken cancellationToken)
        where T : class
    {
        if (!bus.Topology.TryGetPublishAddress<T>(out var address))
            throw new InvalidOperationException($"The bus has no publish address for {typeof(T).Name}.");
        var endpoint = new MassTransit.Middleware.Outbox.OutboxSendEndpoint(this, await bus.GetSendEndpoint(address));
        await endpoint.Send(message, context => context.MessageId = messageId ?? context.MessageId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        var now = DateTime.UtcNow;
        var message = OutboxMessage.From(context, SystemTextJsonMessageSerializer.Instance, now, services.GetService<InternalMessageSignature>());
        message.EnqueueTime ??= now;
        db.Set<OutboxMessage>().Add(message);
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => services.GetService(serviceType);
}
