using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Domain;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Persistence;

/// <summary>
/// Loads and saves payout sagas with EF Core. A message's transition runs in one transaction that
/// holds the payout's row (see <see cref="SqlDialect"/>), so events for one payout apply one after another.
/// When a transaction is already open on the scope's DbContext (the consumer outbox), it is joined.
/// </summary>
public sealed class PayoutSagaRepositoryContextFactory(
    PayoutsDbContext db, ISagaConsumeContextFactory<PayoutsDbContext, PayoutState> factory) : ISagaRepositoryContextFactory<PayoutState>
{
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<PayoutState, T>> next)
        where T : class
    {
        // Inside the consumer outbox, whose transaction this joins, the payout's changes are saved
        // with the inbox row marked consumed and the messages sent: one round trip, not two.
        var savedByOutbox = db.Database.CurrentTransaction is not null;
        return InTransactionAsync(() => next.Send(new PayoutSagaRepositoryContext<T>(db, context, factory, savedByOutbox)), context.CancellationToken);
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<PayoutState> query, IPipe<SagaRepositoryQueryContext<PayoutState, T>> next)
        where T : class
    {
        var savedByOutbox = db.Database.CurrentTransaction is not null;
        return InTransactionAsync(async () =>
        {
            var ids = await db.Payouts.AsNoTracking().Where(query.FilterExpression).Select(p => p.CorrelationId).ToListAsync(context.CancellationToken);
            var instances = new List<PayoutState>();
            foreach (var id in ids)
                if (await PayoutLocks.LoadAsync(db, id, context.CancellationToken) is { } locked)
                    instances.Add(locked);
            var repository = new PayoutSagaRepositoryContext<T>(db, context, factory, savedByOutbox);
            await next.Send(new LoadedSagaRepositoryQueryContext<PayoutState, T>(repository, instances));
        }, context.CancellationToken);
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "entity-framework-core");

    private async Task InTransactionAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            await work();
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await work();
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            await transaction.RollbackAsync(CancellationToken.None);
            // The scope's DbContext may serve a retry of the same message: forget what failed.
            db.ChangeTracker.Clear();
            throw;
        }
    }
}

/// <summary>Reads a payout while holding its row until the transaction ends.</summary>
internal static class PayoutLocks
{
    public static Task<PayoutState?> LoadAsync(PayoutsDbContext db, Guid payoutId, CancellationToken cancellationToken) =>
        SqlDialect.LockPayout(db, payoutId)
        .AsTracking()
        .SingleOrDefaultAsync(cancellationToken);
}

/// <summary>One message's view of the payout saga table, inside the transaction the factory opened.</summary>
internal sealed class PayoutSagaRepositoryContext<TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<PayoutState, TMessage>
    where TMessage : class
{
    private readonly PayoutsDbContext _db;
    private readonly ConsumeContext<TMessage> _context;
    private readonly ISagaConsumeContextFactory<PayoutsDbContext, PayoutState> _factory;
    private readonly bool _savedByOutbox;

    public PayoutSagaRepositoryContext(PayoutsDbContext db, ConsumeContext<TMessage> context, ISagaConsumeContextFactory<PayoutsDbContext, PayoutState> factory,
        bool savedByOutbox)
        : base(context, db)
    {
        _db = db;
        _context = context;
        _factory = factory;
        _savedByOutbox = savedByOutbox;
    }

    public Task<SagaConsumeContext<PayoutState, TMessage>> Add(PayoutState instance) =>
        _factory.CreateSagaConsumeContext(_db, _context, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<PayoutState, TMessage>> Insert(PayoutState instance)
    {
        _db.Payouts.Add(instance);
        await _db.SaveChangesAsync(CancellationToken);
        return await _factory.CreateSagaConsumeContext(_db, _context, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<PayoutState, TMessage>> Load(Guid correlationId)
    {
        var instance = await PayoutLocks.LoadAsync(_db, correlationId, CancellationToken);
        return instance is null ? null! : await _factory.CreateSagaConsumeContext(_db, _context, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<PayoutState> sagaContext)
    {
        _db.Payouts.Add(sagaContext.Saga);
        await SaveUnlessOutboxSavesAsync();
    }

    public async Task Update(SagaConsumeContext<PayoutState> sagaContext)
    {
        await DeleteTimersOfEndedPayoutAsync(sagaContext.Saga);
        await SaveUnlessOutboxSavesAsync();
    }

    private async Task SaveUnlessOutboxSavesAsync()
    {
        if (!_savedByOutbox)
            await _db.SaveChangesAsync(CancellationToken);
    }

    /// <summary>
    /// The transition that ends a payout also deletes the timers it had set (status poll, expiry,
    /// watchdog): unscheduling is otherwise a no-op with our scheduler, and every one of them would
    /// still be sent, received and ignored. Timers are stored with the payout's id as correlation id.
    /// </summary>
    private async Task DeleteTimersOfEndedPayoutAsync(PayoutState saga)
    {
        var was = _db.Entry(saga).Property(p => p.CurrentState).OriginalValue;
        if (PayoutStates.IsTerminal(was) || !PayoutStates.IsTerminal(saga.CurrentState))
            return;
        await _db.Set<OutboxMessage>()
            .Where(m => m.InboxMessageId == null && m.EnqueueTime != null && m.CorrelationId == saga.CorrelationId)
            .ExecuteDeleteAsync(CancellationToken);
    }

    public async Task Delete(SagaConsumeContext<PayoutState> sagaContext)
    {
        _db.Payouts.Remove(sagaContext.Saga);
        await _db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<PayoutState> sagaContext) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<PayoutState> sagaContext)
    {
        _db.Entry(sagaContext.Saga).State = EntityState.Detached;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<PayoutState, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, PayoutState instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_db, consumeContext, instance, mode);
}
