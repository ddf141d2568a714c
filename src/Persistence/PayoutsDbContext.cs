using MassTransit;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Persistence.Access;
using Payouts.Bus.Persistence.Outbox;
using Payouts.Bus.Sagas;

namespace Payouts.Bus.Persistence;

/// <summary>
/// The processor's database. The schema comes from the versioned scripts under Migrations/
/// (applied by <see cref="SchemaMigrator"/>); this model only maps onto it.
/// </summary>
public sealed class PayoutsDbContext(DbContextOptions<PayoutsDbContext> options) : DbContext(options)
{
    public DbSet<PayoutState> Payouts => Set<PayoutState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new PayoutStateMap(SqlDialect.JsonColumnType(this)));
        modelBuilder.ApplyConfiguration(new InboxStateMap());
        modelBuilder.ApplyConfiguration(new OutboxMessageMap());
        modelBuilder.ApplyConfiguration(new SetAsideOutboxMessageMap());
        modelBuilder.ApplyConfiguration(new ApiKeyMap());
        modelBuilder.ApplyConfiguration(new PayoutBatchMap());
        modelBuilder.ApplyConfiguration(new PayoutBatchItemMap());
    }

    /// <summary>
    /// Money columns hold 18 decimal places and 20 integer digits in every database. SQL Server needs
    /// it said: EF's default there is decimal(18,2), which would round amounts in parameters.
    /// </summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<decimal>().HavePrecision(38, 18);

    /// <summary>Every saved change of a payout bumps its version, so a lost update cannot go unnoticed.</summary>
    public override Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var entry in ChangeTracker.Entries<ISagaVersion>())
            if (entry.State == EntityState.Modified)
                entry.Entity.Version++;
        return base.SaveChangesAsync(cancellationToken);
    }
}
