using System.Data.Common;
using MassTransit;
using Payouts.Bus.Providers;

namespace Payouts.Bus.Consumers;

/// <summary>
/// Retry policy shared by the consumers that call providers: only failures that are not decisions
/// (<see cref="ProviderException"/>, broken connections) are retried, in process, with growing
/// pauses; a message that still fails faults, and the saga hears of it.
/// </summary>
public sealed class ProviderConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<ProviderException>();
            r.Handle<SubmissionInProgressException>();
            r.Handle<HttpRequestException>();
            // The submission record is written before the provider is called: a database restart or failover
            // is waited out like a provider's hiccup (EF wraps a transient error in InvalidOperationException).
            r.Handle<DbException>(e => e.IsTransient);
            r.Handle<InvalidOperationException>(e => e.InnerException is DbException { IsTransient: true });
            // 51 s in all: longer than a lapsed lease (15 s) left by a host that died mid-attempt.
            r.Intervals(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
        });
    }
}
