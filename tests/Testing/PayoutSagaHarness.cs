using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Tests.StateMachine;

/// <summary>
/// The payout saga alone on MassTransit's in-memory test harness. No provider consumers run: tests
/// play the provider by publishing its events. The saga's clock may be a fake one, to test rules
/// that compare times at their default settings; scheduled timers still run on the real clock.
/// </summary>
public sealed class PayoutSagaHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private readonly bool _durableOutbox;

    private PayoutSagaHarness(ServiceProvider provider, bool durableOutbox)
    {
        _provider = provider;
        _durableOutbox = durableOutbox;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<PayoutStateMachine, PayoutState>();
        Machine = provider.GetRequiredService<PayoutStateMachine>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<PayoutStateMachine, PayoutState> Saga { get; }
    public PayoutStateMachine Machine { get; }
    public IServiceProvider Services => _provider;

    public static async Task<PayoutSagaHarness> StartAsync(PayoutLifecycleOptions? timers = null, Action<IBusRegistrationConfigurator>? extra = null,
        Action<IServiceCollection>? services = null, Action<IReceiveEndpointConfigurator, IRegistrationContext>? outbox = null,
        TimeProvider? clock = null)
    {
        var configureEndpoint = outbox ?? ((endpoint, context) => endpoint.UseInMemoryOutbox(context));
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton(collection, Payouts.Bus.Domain.ConfiguredProviders.Every);
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton(collection,
            sp => new Payouts.Bus.Domain.PayoutRouter(new Payouts.Bus.Domain.RoutingOptions(), sp.GetRequiredService<Payouts.Bus.Domain.ConfiguredProviders>(),
                new EveryProviderUp(), new NoFeesQuoted()));
        var provider = collection
            .AddSingleton(clock ?? TimeProvider.System)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddSingleton(Options.Create(timers ?? new PayoutLifecycleOptions { StatusPollInterval = TimeSpan.FromHours(1), StatusPollQuietPeriod = TimeSpan.FromHours(1) }))
            .AddMassTransitTestHarness(x =>
            {
                x.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromMilliseconds(500));
                x.AddConfigureEndpointsCallback((context, _, endpoint) => configureEndpoint(endpoint, context));
                if (outbox is not null)
                    x.AddConsumer<Subscriber>();
                x.AddDelayedMessageScheduler();
                if (extra is null)
                    x.AddPayoutSaga().InMemoryRepository();
                else
                    extra(x);
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var harness = new PayoutSagaHarness(provider, durableOutbox: outbox is not null);
        await harness.Harness.Start();
        foreach (var service in harness.OwnHostedServices)
            await service.StartAsync(CancellationToken.None);
        return harness;
    }

    public Task Publish<T>(T message)
        where T : class => Harness.Bus.Publish(message);

    public async Task<PayoutState> InState(Guid payoutId, Func<PayoutStateMachine, State> state)
    {
        var found = await Saga.Exists(payoutId, state, TimeSpan.FromSeconds(10));
        Assert.True(found.HasValue, $"payout {payoutId} did not reach {state(Machine).Name}; it is {Saga.Sagas.Contains(payoutId)?.CurrentState ?? "absent"}");
        // The in-memory instance shows the new state as soon as the transition is made, before the
        // rest of that transition (its history entry) has run: wait for the entry too.
        var name = state(Machine).Name;
        return await Support.Eventually.Until(() => Task.FromResult(Saga.Sagas.Contains(payoutId)!),
            saga => saga.History.LastOrDefault()?.State == name, $"the history entry of {name}", TimeSpan.FromSeconds(10));
    }

    /// <summary>A request that reached the provider and was accepted: the saga is Submitted.</summary>
    public async Task<Guid> Submitted(RequestPayout request, string reference = "ref-1")
    {
        await Publish(request);
        await InState(request.PayoutId, m => m.Requested);
        await Publish(new ProviderPayoutAccepted(request.PayoutId, new ProviderPayoutUpdate(reference, ProviderPayoutStatus.Pending, "created"),
            await CheckIdAsync(request.PayoutId)));
        await InState(request.PayoutId, m => m.Submitted);
        return request.PayoutId;
    }

    /// <summary>The payout's check id, as the saga sends it to the provider consumers (which the tests play).</summary>
    public async Task<Guid> CheckIdAsync(Guid payoutId)
    {
        var submit = await Support.Eventually.Until(
            () => Task.FromResult(PublishedSoFar<SubmitProviderPayout>().LastOrDefault(m => m.Payout.PayoutId == payoutId)),
            m => m is not null, $"the saga to submit payout {payoutId}", TimeSpan.FromSeconds(10));
        return submit!.Payout.CheckId ?? throw new InvalidOperationException($"payout {payoutId} was submitted without a check id");
    }

    /// <summary>A Dfns payout waiting for confirmation of <paramref name="depositAddress"/>.</summary>
    public async Task<Guid> AwaitingConfirmation(RequestPayout request, string depositAddress)
    {
        var id = await Submitted(request, "pyt-abcde-fghij-klmnopqrstuvwxyz");
        await Publish(Update(id, ProviderPayoutStatus.AwaitingConfirmation, "Processing/AwaitingPayoutConfirmation", depositAddress: depositAddress, amount: request.Amount.Amount));
        await InState(id, m => m.AwaitingConfirmation);
        return id;
    }

    /// <summary>
    /// Waits until <paramref name="expected"/> matching messages were published (deadline 10 s), then
    /// asserts exactly that many. Zero is checked at once: call it after waiting for the state that
    /// follows the message which must not publish.
    /// </summary>
    public async Task AssertPublished<T>(int expected, Func<T, bool> match)
        where T : class
    {
        var count = await Support.Eventually.Until(
            () => Task.FromResult(PublishedSoFar<T>().Count(match)),
            n => n >= expected, $"{expected} {typeof(T).Name}", TimeSpan.FromSeconds(10));
        Assert.Equal(expected, count);
    }

    /// <summary>
    /// The messages published until now. The harness's own <c>Select</c> waits for the bus to fall
    /// quiet, which it never does while a payout is being polled; a canceled token reads without waiting.
    /// Behind the durable outbox a publish leaves later as a stored envelope, which the harness cannot
    /// type; there a <see cref="Subscriber"/> receives the messages, as any subscriber would.
    /// </summary>
    public IReadOnlyList<T> PublishedSoFar<T>()
        where T : class
    {
        var now = new CancellationToken(canceled: true);
        return _durableOutbox
            ? Harness.Consumed.Select<T>(now).Select(m => m.Context.Message).ToList()
            : Harness.Published.Select<T>(now).Select(m => m.Context.Message).ToList();
    }

    /// <summary>An upstream subscriber of the lifecycle events and of the commands sent to providers.</summary>
    private sealed class Subscriber :
        IConsumer<PayoutAccepted>, IConsumer<PayoutRejected>, IConsumer<PayoutAlreadyRequested>, IConsumer<PayoutCompleted>, IConsumer<PayoutExpired>,
        IConsumer<SubmitProviderPayout>, IConsumer<CheckProviderPayout>
    {
        public Task Consume(ConsumeContext<PayoutAccepted> context) => Task.CompletedTask;
        public Task Consume(ConsumeContext<PayoutRejected> context) => Task.CompletedTask;
        public Task Consume(ConsumeContext<PayoutAlreadyRequested> context) => Task.CompletedTask;
        public Task Consume(ConsumeContext<PayoutCompleted> context) => Task.CompletedTask;
        public Task Consume(ConsumeContext<PayoutExpired> context) => Task.CompletedTask;
        public Task Consume(ConsumeContext<SubmitProviderPayout> context) => Task.CompletedTask;
        public Task Consume(ConsumeContext<CheckProviderPayout> context) => Task.CompletedTask;
    }

    /// <summary>Waits until the saga has consumed <paramref name="count"/> messages of type T.</summary>
    public Task Consumed<T>(int count)
        where T : class =>
        Support.Eventually.Until(() => Task.FromResult(Saga.Consumed.Select<T>(new CancellationToken(canceled: true)).Count()), n => n >= count,
            $"{count} {typeof(T).Name} consumed by the saga", TimeSpan.FromSeconds(10));

    /// <summary>
    /// The provider's final word as the processor hears it: by webhook first, which the saga does not
    /// take on its own say, then as the provider's answer to the status check the saga asks for.
    /// </summary>
    public async Task ProviderEnds(ProviderPayoutUpdated webhook)
    {
        var askedBefore = ChecksAsked(webhook.PayoutId).Count;
        await Publish(webhook);
        await AnswerCheck(webhook, askedBefore);
    }

    /// <summary>The provider answers the next status check the saga asks for (after the first <paramref name="askedBefore"/>) with <paramref name="answer"/>.</summary>
    public async Task AnswerCheck(ProviderPayoutUpdated answer, int askedBefore = 0)
    {
        var check = await Support.Eventually.Until(() => Task.FromResult(ChecksAsked(answer.PayoutId).Skip(askedBefore).FirstOrDefault()),
            c => c is not null, $"the saga to ask the provider about payout {answer.PayoutId}", TimeSpan.FromSeconds(10));
        await Publish(answer with { Source = "status poll", CheckId = check!.Payout.CheckId });
    }

    private List<CheckProviderPayout> ChecksAsked(Guid payoutId) =>
        PublishedSoFar<CheckProviderPayout>().Where(m => m.Payout.PayoutId == payoutId).ToList();

    public static ProviderPayoutUpdated Update(Guid payoutId, ProviderPayoutStatus status, string providerStatus,
        string? txHash = null, string? depositAddress = null, decimal? amount = null) =>
        new(payoutId, new ProviderPayoutUpdate(null, status, providerStatus, depositAddress, amount, txHash), "test");

    /// <summary>No provider's circuit is open: the saga alone has no provider calls to judge them by.</summary>
    private sealed class EveryProviderUp : Payouts.Bus.Domain.IProviderHealth
    {
        public bool IsAvailable(PayoutProvider provider) => true;
    }

    private sealed class NoFeesQuoted : Payouts.Bus.Domain.IProviderFees
    {
        public Payouts.Bus.Domain.QuotedFee? Latest(PayoutProvider provider, string currency, string network) => null;
    }

    /// <summary>The processor's own background services (the outbox delivery), which the bus harness does not start.</summary>
    private IEnumerable<IHostedService> OwnHostedServices =>
        _provider.GetServices<IHostedService>().Where(s => s.GetType().Namespace?.StartsWith("Payouts.Bus", StringComparison.Ordinal) == true);

    public async ValueTask DisposeAsync()
    {
        foreach (var service in OwnHostedServices)
            await service.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
    }
}

public static class Requests
{
    public static RequestPayout TheDex(string? externalId = null, decimal amount = 125.50m) => new(
        Guid.NewGuid(), externalId ?? "ext-" + Guid.NewGuid().ToString("N"), PayoutProvider.TheDex,
        new Money(amount, "USDT", "Tron"), "TR3FgceaBm3EYN2KoCEzXT5WWrYs7iWZqy");

    public static RequestPayout Dfns(decimal amount = 1000m) => new(
        Guid.NewGuid(), "ext-" + Guid.NewGuid().ToString("N"), PayoutProvider.Dfns,
        new Money(amount, "USDC", "Polygon"), "pi-bank-account-1",
        Dfns: new DfnsPayoutDetails("wa-5pfuu-9euek-h0odgb6snva8ph3k", "USD", "US", "borderless-1", "salary payment"));
}
