using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Persistence;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>A stored message that can never be sent is set aside with the reason; the messages behind it keep going.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class OutboxSetAsideTests(RabbitMqHostFixture host)
{
    [Fact]
    public async Task Row_that_can_never_be_sent_is_set_aside_with_the_reason_and_payouts_keep_completing()
    {
        var bus = host.Services.GetRequiredService<IBus>();
        // Due now, to an exchange no broker can have (its name holds a space): every send of it fails at once.
        var refused = new OutboxMessage
        {
            MessageId = Guid.NewGuid(),
            SentTime = DateTime.UtcNow,
            EnqueueTime = DateTime.UtcNow,
            ContentType = "application/vnd.masstransit+json",
            MessageType = "urn:message:payouts:saga:resume-payout",
            Body = $$$"""{"messageId":"{{{Guid.NewGuid()}}}","messageType":["urn:message:payouts:saga:resume-payout"],"message":{"payoutId":"{{{Guid.NewGuid()}}}"}}""",
            DestinationAddress = new Uri(bus.Address, "no%20such%20exchange?type=fanout"),
        };
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PayoutsDbContext>();
            db.Add(refused);
            await db.SaveChangesAsync();
        }

        var payoutId = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));
        await host.WaitForStatusAsync(payoutId, "Completed");
        var setAside = await Eventually.Until(async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PayoutsDbContext>().Set<SetAsideOutboxMessage>().AsNoTracking()
                .SingleOrDefaultAsync(m => m.MessageId == refused.MessageId);
        }, m => m is not null, "the refused row in outbox_set_aside");

        Assert.StartsWith("RabbitMqAddressException", setAside!.Reason, StringComparison.Ordinal);
        Assert.Equal(refused.Body, setAside.Body);
        await using (var scope = host.Services.CreateAsyncScope())
            Assert.False(await scope.ServiceProvider.GetRequiredService<PayoutsDbContext>().Set<OutboxMessage>().AnyAsync(m => m.MessageId == refused.MessageId));
    }
}
