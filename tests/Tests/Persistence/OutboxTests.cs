using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Persistence;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;
using Payouts.Bus.Tests.StateMachine;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Persistence;

/// <summary>The transactional inbox/outbox and the durable scheduler, with failures injected on purpose, on SQLite and PostgreSQL.</summary>
public sealed class OutboxTests
{
    public static TheoryData<string> Databases => DurableSagaTests.Databases;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Work_that_throws_after_publishing_commits_nothing_and_sends_nothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var test = await DurableSagaTests.StartAsync(db, extra: x => x.AddConsumer<WriteThenPublishThenFail>(c => c.UseMessageRetry(r => r.Immediate(2))));
        var payoutId = Guid.NewGuid();

        await test.Publish(new OutboxProbe(payoutId, Fail: true));

        await Eventually.Until(() => Task.FromResult(test.Harness.Published.Select<Fault<OutboxProbe>>(new CancellationToken(true)).Count()), n => n == 1, "the fault");
        Assert.Null(await DurableSagaTests.LoadAsync(db, payoutId));
        Assert.Empty(test.PublishedSoFar<PayoutCompleted>());
        Assert.Equal(0, await db.QueryAsync(d => d.Set<OutboxMessage>().CountAsync()));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Commit_that_fails_after_the_consumer_ran_publishes_a_typed_fault_and_sends_nothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var test = await DurableSagaTests.StartAsync(db, extra: x => x.AddConsumer<PublishThenLeaveAnUnsavableRow>(c => c.UseMessageRetry(r => r.Immediate(2))));
        var payoutId = Guid.NewGuid();

        await test.Publish(new UnsavableProbe(payoutId));

        await Eventually.Until(() => Task.FromResult(test.Harness.Published.Select<Fault<UnsavableProbe>>(new CancellationToken(true)).Count()), n => n == 1, "the typed fault");
        // The save that fails is the consumer's failure: one typed fault after the last retry, never a bare receive fault.
        Assert.Empty(test.Harness.Published.Select<ReceiveFault>(new CancellationToken(true)));
        Assert.Single(test.Harness.Published.Select<Fault<UnsavableProbe>>(new CancellationToken(true)));
        Assert.Null(await DurableSagaTests.LoadAsync(db, payoutId));
        Assert.Empty(test.PublishedSoFar<PayoutCompleted>());
        Assert.Equal(0, await db.QueryAsync(d => d.Set<OutboxMessage>().CountAsync()));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Timers_of_a_payout_that_ended_are_deleted_with_its_last_transition(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var test = await DurableSagaTests.StartAsync(db);
        var request = Requests.TheDex();
        await DurableSagaTests.SubmittedAsync(test, db, request, "thedex-9");
        Assert.True(await TimersOfAsync(db, request.PayoutId) > 0, "the status poll and the watchdog wait");

        await test.ProviderEnds(PayoutSagaHarness.Update(request.PayoutId, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0x99"));
        await DurableSagaTests.StateIs(db, request.PayoutId, "Completed");

        Assert.Equal(0, await TimersOfAsync(db, request.PayoutId));
    }

    private static Task<int> TimersOfAsync(TestDatabase db, Guid payoutId) =>
        db.QueryAsync(d => d.Set<OutboxMessage>().CountAsync(m => m.EnqueueTime != null && m.CorrelationId == payoutId));

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Same_message_delivered_twice_is_consumed_once_and_publishes_once(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var counter = new ConsumeCounter();
        await using var test = await DurableSagaTests.StartAsync(db, extra: x => x.AddConsumer<WriteThenPublishThenFail>(), services: s => s.AddSingleton(counter));
        var payoutId = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        await test.Harness.Bus.Publish(new OutboxProbe(payoutId, Fail: false), c => c.MessageId = messageId);
        await test.AssertPublished<PayoutCompleted>(1, m => m.PayoutId == payoutId);
        var firstReceipts = await ReceiveCountAsync(db, messageId);
        await test.Harness.Bus.Publish(new OutboxProbe(payoutId, Fail: false), c => c.MessageId = messageId);
        await Eventually.Until(() => ReceiveCountAsync(db, messageId), n => n > firstReceipts, "the inbox to see the second delivery");

        Assert.Equal(1, counter.Count);
        await test.AssertPublished<PayoutCompleted>(1, m => m.PayoutId == payoutId);
        Assert.NotNull(await DurableSagaTests.LoadAsync(db, payoutId));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Scheduled_timeout_survives_a_restart_and_fires_once(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var timers = new PayoutLifecycleOptions { ConfirmationTimeout = TimeSpan.FromSeconds(2), StatusPollInterval = TimeSpan.FromHours(1), StatusPollQuietPeriod = TimeSpan.FromHours(1) };
        var request = Requests.Dfns();

        await using (var first = await DurableSagaTests.StartAsync(db, timers))
        {
            await DurableSagaTests.SubmittedAsync(first, db, request, "pyt-1");
            await first.Publish(PayoutSagaHarness.Update(request.PayoutId, ProviderPayoutStatus.AwaitingConfirmation, "Processing/AwaitingPayoutConfirmation",
                depositAddress: "0x1234567890abcdef1234567890abcdef12345678", amount: 1000m));
            await DurableSagaTests.StateIs(db, request.PayoutId, "AwaitingConfirmation");
        }

        Assert.True(await db.QueryAsync(d => d.Set<OutboxMessage>().AnyAsync(m => m.EnqueueTime != null && m.MessageType.Contains(ExpiryUrn))),
            "the expiry is stored, waiting");

        await using var second = await DurableSagaTests.StartAsync(db, timers);
        var expired = await DurableSagaTests.StateIs(db, request.PayoutId, "Expired");
        await second.AssertPublished<PayoutExpired>(1, m => m.PayoutId == request.PayoutId);
        Assert.Single(expired.History, h => h.Event == "ConfirmationExpired");
        // The expiry was sent and removed, and the transition to Expired deleted the status poll.
        Assert.False(await db.QueryAsync(d => d.Set<OutboxMessage>().AnyAsync(m => m.MessageType.Contains(ExpiryUrn))), "the expiry is gone");
        Assert.False(await db.QueryAsync(d => d.Set<OutboxMessage>().AnyAsync(m => m.EnqueueTime != null && m.CorrelationId == request.PayoutId)),
            "no timer of the expired payout waits");
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Message_published_outside_a_consumer_is_stored_and_delivered_after_a_restart(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var request = Requests.TheDex();

        // The first host stops before its delivery service gets round to the stored message.
        await using (var first = await DurableSagaTests.StartAsync(db,
            services: s => s.Configure<DatabaseOptions>(o => o.DeliveryInterval = TimeSpan.FromMinutes(1))))
        {
            await DurableSagaTests.SubmittedAsync(first, db, request, "thedex-9");

            await using var scope = first.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PayoutsBusOutbox>().PublishAsync(
                PayoutSagaHarness.Update(request.PayoutId, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0x99"), null, CancellationToken.None);
            Assert.True(await db.QueryAsync(d => d.Set<OutboxMessage>().AnyAsync(m => m.InboxMessageId == null && m.MessageType.Contains("provider-payout-updated"))),
                "the webhook's update is stored");
        }
        Assert.Equal("Submitted", (await DurableSagaTests.LoadAsync(db, request.PayoutId))!.CurrentState);

        // Delivered after the restart: the stored update reaches the saga, which asks the provider before ending the payout.
        await using var second = await DurableSagaTests.StartAsync(db);
        await second.AnswerCheck(PayoutSagaHarness.Update(request.PayoutId, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0x99"));
        var completed = await DurableSagaTests.StateIs(db, request.PayoutId, "Completed");
        Assert.Equal("0x99", completed.TxHash);
        await second.AssertPublished<PayoutCompleted>(1, m => m.PayoutId == request.PayoutId);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Two_hosts_on_one_database_process_each_scheduled_message_once(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var timers = new PayoutLifecycleOptions { ConfirmationTimeout = TimeSpan.FromSeconds(3), StatusPollInterval = TimeSpan.FromHours(1), StatusPollQuietPeriod = TimeSpan.FromHours(1) };
        await using var first = await DurableSagaTests.StartAsync(db, timers);
        await using var second = await DurableSagaTests.StartAsync(db, timers);
        var requests = Enumerable.Range(0, 10).Select(_ => Requests.Dfns()).ToList();

        foreach (var request in requests)
        {
            await DurableSagaTests.SubmittedAsync(first, db, request, "pyt-" + request.PayoutId);
            await first.Publish(PayoutSagaHarness.Update(request.PayoutId, ProviderPayoutStatus.AwaitingConfirmation, "Processing/AwaitingPayoutConfirmation",
                depositAddress: "0x1234567890abcdef1234567890abcdef12345678", amount: 1000m));
        }
        foreach (var request in requests)
            await DurableSagaTests.StateIs(db, request.PayoutId, "Expired");

        var delivered = first.Saga.Consumed.Select<PayoutConfirmationExpired>(new CancellationToken(true)).Count()
                        + second.Saga.Consumed.Select<PayoutConfirmationExpired>(new CancellationToken(true)).Count();
        Assert.Equal(requests.Count, delivered);
    }

    private static Task<int> ReceiveCountAsync(TestDatabase db, Guid messageId) =>
        db.QueryAsync(d => d.Set<InboxState>().Where(i => i.MessageId == messageId).SumAsync(i => i.ReceiveCount));

    private const string ExpiryUrn = "payouts:saga:confirmation-expired";

    public sealed record OutboxProbe(Guid PayoutId, bool Fail);

    public sealed record UnsavableProbe(Guid PayoutId);

    public sealed class ConsumeCounter
    {
        private int _count;
        public int Count => _count;
        public void Increment() => Interlocked.Increment(ref _count);
    }

    /// <summary>Writes a payout row and publishes an event in the outbox's transaction, then fails when asked to.</summary>
    private sealed class WriteThenPublishThenFail(PayoutsDbContext db, IServiceProvider services) : IConsumer<OutboxProbe>
    {
        public async Task Consume(ConsumeContext<OutboxProbe> context)
        {
            services.GetService<ConsumeCounter>()?.Increment();
            db.Payouts.Add(new PayoutState
            {
                CorrelationId = context.Message.PayoutId, CurrentState = "Completed", ExternalId = "probe-" + context.Message.PayoutId,
                RequestFingerprint = "-", Currency = "USDT", Network = "Tron", Destination = "-", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
            await context.Publish(new PayoutCompleted(context.Message.PayoutId, "probe", PayoutProvider.TheDex, "ref", new Money(1m, "USDT", "Tron"), null, null, DateTime.UtcNow));
            if (context.Message.Fail)
                throw new InvalidOperationException("failure injected after publishing");
        }
    }

    /// <summary>Publishes, then leaves a row the database refuses (no external id): the consumer returns, the save fails.</summary>
    private sealed class PublishThenLeaveAnUnsavableRow(PayoutsDbContext db) : IConsumer<UnsavableProbe>
    {
        public async Task Consume(ConsumeContext<UnsavableProbe> context)
        {
            await context.Publish(new PayoutCompleted(context.Message.PayoutId, "probe", PayoutProvider.TheDex, "ref", new Money(1m, "USDT", "Tron"), null, null, DateTime.UtcNow));
            db.Payouts.Add(new PayoutState
            {
                CorrelationId = context.Message.PayoutId, CurrentState = "Completed", ExternalId = null!,
                RequestFingerprint = "-", Currency = "USDT", Network = "Tron", Destination = "-", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
        }
    }
}
