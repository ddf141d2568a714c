using MassTransit;
using Microsoft.EntityFrameworkCore;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Persistence;
using Payouts.Bus.Sagas;
using Payouts.Bus.Tests.StateMachine;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Persistence;

/// <summary>The payout saga kept in a real database: SQLite (the embedded default) and PostgreSQL.</summary>
public sealed class DurableSagaTests
{
    /// <summary>SQLite and PostgreSQL always; SQL Server too when PAYOUTS_TEST_SQLSERVER names one.</summary>
    public static TheoryData<string> Databases => TestDatabase.SqlServer is null
        ? [DatabaseProvider.Sqlite, DatabaseProvider.Postgres]
        : [DatabaseProvider.Sqlite, DatabaseProvider.Postgres, DatabaseProvider.SqlServer];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Payout_survives_a_restart_and_carries_on_where_it_was(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var request = Requests.TheDex();

        await using (var first = await StartAsync(db))
        {
            await SubmittedAsync(first, db, request, "thedex-7");
        }

        await using var second = await StartAsync(db);
        var snapshot = (await second.Harness.GetRequestClient<GetPayout>().GetResponse<PayoutSnapshot>(new GetPayout(request.PayoutId))).Message;
        Assert.Equal("Submitted", snapshot.Status);
        Assert.Equal("thedex-7", snapshot.ProviderReference);
        Assert.Equal(request.Amount, snapshot.Amount);
        Assert.Equal(["RequestPayout", "ProviderAccepted"], snapshot.History.Select(h => h.Event));

        await second.ProviderEnds(PayoutSagaHarness.Update(request.PayoutId, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0x77"));
        var completed = await StateIs(db, request.PayoutId, "Completed");
        Assert.Equal("0x77", completed.TxHash);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Fifty_concurrent_events_for_one_payout_are_each_applied_exactly_once(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var test = await StartAsync(db);
        var request = Requests.TheDex();
        var submitted = await SubmittedAsync(test, db, request, "thedex-8");

        await Task.WhenAll(Enumerable.Range(1, 50).Select(i =>
            test.Publish(PayoutSagaHarness.Update(request.PayoutId, ProviderPayoutStatus.Processing, $"step-{i}"))));

        var payout = await Eventually.Until(() => LoadAsync(db, request.PayoutId),
            p => p!.History.Count(h => h.Event == "ProviderUpdated") >= 50, "50 provider updates in the history");
        var updates = payout!.History.Where(h => h.Event == "ProviderUpdated").Select(h => h.Reason).ToList();
        Assert.Equal(50, updates.Count);
        Assert.Equal(50, updates.Distinct().Count());
        Assert.Equal(submitted.Version + 50, payout.Version);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Concurrent_requests_with_one_external_id_make_one_payout(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var test = await StartAsync(db);
        var request = Requests.TheDex();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => test.Publish(request with { PayoutId = Guid.NewGuid() })));

        await test.Consumed<RequestPayout>(10);
        var rows = await db.QueryAsync(d => d.Payouts.Where(p => p.ExternalId == request.ExternalId).ToListAsync());
        var payout = Assert.Single(rows);
        Assert.Equal("Requested", payout.CurrentState);
        await test.AssertPublished<PayoutAccepted>(1, m => m.ExternalId == request.ExternalId);
        await test.AssertPublished<SubmitProviderPayout>(1, m => m.Payout.PayoutId == payout.CorrelationId);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Schema_migrations_are_versioned_and_applied_once(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var services = db.Services();
        await using var scope = services.CreateAsyncScope();

        var again = await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);

        Assert.Empty(again);
        var versions = await db.QueryAsync(d => d.Database.SqlQuery<string>($"SELECT version AS \"Value\" FROM schema_version").ToListAsync());
        Assert.Equal(["0001_payout_saga", "0002_inbox_outbox", "0003_confirmation_sent_at", "0004_trace_parent", "0005_amount_scale", "0006_inbox_consumed", "0007_api_key", "0008_check_id", "0009_client", "0010_api_key_last_used", "0011_outbox_set_aside", "0012_payout_submission", "0013_status_polls", "0014_payout_search", "0015_payout_batch", "0016_routing"], versions.Order());
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Every_field_of_a_payout_round_trips_exactly(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var now = new DateTime(2026, 11, 22, 6, 30, 15, 123, DateTimeKind.Utc);
        var written = new PayoutState
        {
            CorrelationId = Guid.NewGuid(), CurrentState = "AwaitingConfirmation", ExternalId = "ext-round-trip", RequestFingerprint = new string('f', 64),
            Provider = PayoutProvider.Dfns, Amount = 1234.567890123456789012m, Currency = "USDC", Network = "Polygon", Destination = "pi-1", Memo = "memo",
            Dfns = new DfnsPayoutDetails("wa-5pfuu-9euek-h0odgb6snva8ph3k", "USD", "US", "acct", "other"),
            ProviderReference = "pyt-1", ProviderStatus = "Processing/AwaitingPayoutConfirmation", DepositAddress = "0xabc", DepositAmount = 0.000001m,
            ConfirmationExpiresAt = now.AddDays(1), ConfirmationSentAt = now.AddMinutes(1), TxHash = "0xhash", Fee = 1.45m, FailureCode = "code", FailureMessage = "message",
            CreatedAt = now, UpdatedAt = now, ConfirmationExpiryTokenId = Guid.NewGuid(), SubmissionExpiryTokenId = Guid.NewGuid(),
            StatusPollTokenId = Guid.NewGuid(), SubmitRetryTokenId = Guid.NewGuid(),
            History = [new PayoutHistoryEntry(now, "Requested", "RequestPayout", "why")],
        };
        await db.QueryAsync(async d =>
        {
            d.Payouts.Add(written);
            return await d.SaveChangesAsync();
        });

        var read = (await LoadAsync(db, written.CorrelationId))!;

        Assert.Equivalent(written, read, strict: true);
    }

    internal static Task<PayoutSagaHarness> StartAsync(TestDatabase db, PayoutLifecycleOptions? timers = null, Action<IBusRegistrationConfigurator>? extra = null,
        Action<IServiceCollection>? services = null) =>
        PayoutSagaHarness.StartAsync(
            timers ?? new PayoutLifecycleOptions { StatusPollInterval = TimeSpan.FromHours(1), StatusPollQuietPeriod = TimeSpan.FromHours(1) },
            x =>
            {
                x.AddPayoutSaga().InPayoutsDatabase();
                extra?.Invoke(x);
            },
            collection =>
            {
                collection.AddPayoutsPersistence(db.Configuration());
                services?.Invoke(collection);
            },
            (endpoint, context) => endpoint.UsePayoutsOutbox(context));

    /// <summary>Requests a payout and has its provider accept it; returns it Submitted, as stored.</summary>
    internal static async Task<PayoutState> SubmittedAsync(PayoutSagaHarness test, TestDatabase db, RequestPayout request, string reference)
    {
        await test.Publish(request);
        await StateIs(db, request.PayoutId, "Requested");
        await test.Publish(new ProviderPayoutAccepted(request.PayoutId, new ProviderPayoutUpdate(reference, ProviderPayoutStatus.Pending, "created"),
            await test.CheckIdAsync(request.PayoutId)));
        return await StateIs(db, request.PayoutId, "Submitted");
    }

    internal static Task<PayoutState?> LoadAsync(TestDatabase db, Guid id) =>
        db.QueryAsync(d => d.Payouts.AsNoTracking().SingleOrDefaultAsync(p => p.CorrelationId == id));

    internal static async Task<PayoutState> StateIs(TestDatabase db, Guid id, string state) =>
        (await Eventually.Until(() => LoadAsync(db, id), p => p?.CurrentState == state, $"payout {id} to be {state}", TimeSpan.FromSeconds(15)))!;
}
