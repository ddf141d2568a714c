using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Domain;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Persistence;

/// <summary>Submission attempts and their leases, on SQLite and PostgreSQL: what keeps a payout from being created twice.</summary>
public sealed class PayoutSubmissionsTests
{
    public static TheoryData<string> Databases => DurableSagaTests.Databases;

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task One_attempt_holds_a_payout_and_the_next_knows_the_first_may_have_created_it(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var services = db.Services();
        var submissions = services.GetRequiredService<IPayoutSubmissions>();
        var payoutId = Guid.NewGuid();

        var first = await submissions.BeginAsync(payoutId, CancellationToken.None);
        Assert.NotNull(first);
        Assert.Equal(1, first.Number);
        Assert.Null(first.EarlierSince);
        Assert.Null(await submissions.BeginAsync(payoutId, CancellationToken.None));
        await using (var another = await submissions.BeginAsync(Guid.NewGuid(), CancellationToken.None))
            Assert.NotNull(another);
        await first.DisposeAsync();

        await using var second = await submissions.BeginAsync(payoutId, CancellationToken.None);
        Assert.NotNull(second);
        Assert.Equal(2, second.Number);
        Assert.Equal(first.FirstAttemptAt, second.EarlierSince!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Lease_that_lapsed_is_taken_over_and_the_attempt_that_lost_it_is_told_to_stop(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var services = db.Services();
        var submissions = services.GetRequiredService<IPayoutSubmissions>();
        var payoutId = Guid.NewGuid();
        await using var stalled = await submissions.BeginAsync(payoutId, CancellationToken.None);
        Assert.NotNull(stalled);

        // As if the attempt had not renewed its lease for longer than the lease runs.
        var lapsed = DateTime.UtcNow - SubmissionAttempt.Lease;
        await db.QueryAsync(d => d.Database.ExecuteSqlAsync($"UPDATE payout_submission SET lease_until = {lapsed} WHERE payout_id = {payoutId}"));
        await using var next = await submissions.BeginAsync(payoutId, CancellationToken.None);

        Assert.NotNull(next);
        Assert.Equal(2, next.Number);
        await Eventually.Until(() => Task.FromResult(stalled.LeaseLost.IsCancellationRequested), lost => lost, "the stalled attempt to learn it lost the lease");
        Assert.False(next.LeaseLost.IsCancellationRequested);
    }
}
