using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payouts.Bus.Contracts;
using Payouts.Bus.Domain;

namespace Payouts.Bus.Persistence;

/// <summary>
/// Submission attempts and their leases in <c>payout_submission</c>. Every statement commits on its
/// own, in its own scope: an attempt holds no transaction and no connection while it calls its provider.
/// </summary>
internal sealed class PayoutSubmissions(IServiceScopeFactory scopes, TimeProvider clock, ILogger<PayoutSubmissions> logger) : IPayoutSubmissions
{
    public async Task<SubmissionAttempt?> BeginAsync(Guid payoutId, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var begun = await RunAsync(db => SqlDialect.BeginSubmissionAsync(db, payoutId, id, Now, Now + SubmissionAttempt.Lease, cancellationToken));
        return begun is { } row ? new LeasedAttempt(this, payoutId, id, row.Number, row.FirstAttemptAt) : null;
    }

    public async Task<bool> RefusedAsync(Guid payoutId, PayoutProvider provider, CancellationToken cancellationToken) =>
        await RunAsync(db => SqlDialect.RefusedAsync(db, payoutId, provider.ToString(), cancellationToken));

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private TimeProvider Clock => clock;

    private ILogger Logger => logger;

    private async Task<T> RunAsync<T>(Func<PayoutsDbContext, Task<T>> statement)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await statement(scope.ServiceProvider.GetRequiredService<PayoutsDbContext>());
    }

    private sealed class LeasedAttempt : SubmissionAttempt
    {
        private readonly PayoutSubmissions _submissions;
        private readonly Guid _payoutId;
        private readonly Guid _id;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _ended = new();
        private readonly PeriodicTimer _renewal;
        private readonly Task _renewing;

        public LeasedAttempt(PayoutSubmissions submissions, Guid payoutId, Guid id, int number, DateTime firstAttemptAt)
            : base(number, firstAttemptAt)
        {
            _submissions = submissions;
            _payoutId = payoutId;
            _id = id;
            _renewal = new PeriodicTimer(Lease / 3, submissions.Clock);
            _renewing = RenewAsync();
        }

        public override CancellationToken LeaseLost => _lost.Token;

        public override async Task RecordRefusalAsync(PayoutProvider provider)
        {
            // The refusal first: should the second statement be lost, the next attempt merely looks up before it creates.
            await _submissions.RunAsync(db => SqlDialect.RecordRefusalAsync(db, _payoutId, provider.ToString(), _submissions.Now, CancellationToken.None));
            await _submissions.RunAsync(db => SqlDialect.ForgetSubmissionAsync(db, _payoutId, _id, CancellationToken.None));
        }

        /// <summary>Renews the lease a third of the way through, until the attempt ends or the lease is lost.</summary>
        private async Task RenewAsync()
        {
            try
            {
                // Ends when the timer is disposed, without an exception for every attempt; a renewal
                // still running then is cancelled.
                while (await _renewal.WaitForNextTickAsync())
                {
                    var renewed = await _submissions.RunAsync(db =>
                        SqlDialect.RenewSubmissionAsync(db, _payoutId, _id, _submissions.Now + Lease, _ended.Token));
                    if (renewed == 0)
                        throw new InvalidOperationException("another attempt holds the lease");
                }
            }
            catch (OperationCanceledException) when (_ended.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _submissions.Logger.LogWarning(e, "Payout {PayoutId}: the submission lease could not be renewed; the attempt stops", _payoutId);
                await _lost.CancelAsync();
            }
        }

        public override async ValueTask DisposeAsync()
        {
            _renewal.Dispose();
            await _ended.CancelAsync();
            await _renewing;
            try
            {
                await _submissions.RunAsync(db => SqlDialect.EndSubmissionAsync(db, _payoutId, _id, CancellationToken.None));
            }
            catch (Exception e)
            {
                _submissions.Logger.LogWarning(e, "Payout {PayoutId}: the submission lease could not be ended; it lapses within {Lease}", _payoutId, Lease);
            }
            _ended.Dispose();
            _lost.Dispose();
        }
    }
}
