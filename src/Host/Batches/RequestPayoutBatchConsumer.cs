using MassTransit;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Host.Batches;

/// <summary>
/// <see cref="RequestPayoutBatch"/> on the bus: taken like <c>POST /payouts/batch</c>. A request is
/// answered; a published batch is answered by publishing <see cref="PayoutBatchAccepted"/> or
/// <see cref="PayoutBatchRejected"/>, which its sender hears.
/// </summary>
public sealed class RequestPayoutBatchConsumer(PayoutBatchIntake intake) : IConsumer<RequestPayoutBatch>
{
    public async Task Consume(ConsumeContext<RequestPayoutBatch> context)
    {
        var (accepted, rejected) = await intake.TakeAsync(context.Message, context.CancellationToken);
        if (context.ResponseAddress is not null)
            await (accepted is not null ? context.RespondAsync(accepted) : context.RespondAsync(rejected!));
        else
            await (accepted is not null ? context.Publish(accepted) : context.Publish(rejected!));
    }
}
