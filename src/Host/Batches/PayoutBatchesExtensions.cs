using System.Data.Common;
using MassTransit;

namespace Payouts.Bus.Host.Batches;

public static class PayoutBatchesExtensions
{
    /// <summary>Batches of payouts: their intake (HTTP and bus) and the look-out that reports each one completed.</summary>
    public static IServiceCollection AddPayoutBatches(this IServiceCollection services)
    {
        services.AddScoped<PayoutBatchIntake>();
        services.AddHostedService<PayoutBatchCompletion>();
        return services;
    }
}

/// <summary>
/// Taking a batch again is harmless (it is idempotent), so a database that is briefly away is waited
/// out; what still fails goes to <c>request-payout-batch_error</c>, to be replayed.
/// </summary>
public sealed class RequestPayoutBatchConsumerDefinition : ConsumerDefinition<RequestPayoutBatchConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RequestPayoutBatchConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<DbException>(e => e.IsTransient);
            r.Handle<InvalidOperationException>(e => e.InnerException is DbException { IsTransient: true });
            r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));
        });
}
