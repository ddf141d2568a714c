using CsCheck;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using static Payouts.Bus.Tests.StateMachine.PayoutSagaHarness;

namespace Payouts.Bus.Tests.StateMachine;

/// <summary>
/// The saga's money rules over generated provider news (CsCheck): whatever a provider reports, in any
/// order and however often, a payout ends once, stays ended, and is handed to the provider once.
/// </summary>
public sealed class PayoutStateMachineProperties
{
    private static readonly ProviderPayoutStatus[] Statuses =
        [ProviderPayoutStatus.Processing, ProviderPayoutStatus.Completed, ProviderPayoutStatus.Failed, ProviderPayoutStatus.Canceled, ProviderPayoutStatus.Expired];

    [Fact]
    public Task Payout_ends_once_stays_ended_and_is_submitted_once_whatever_the_provider_reports_after() =>
        Gen.Int[0, Statuses.Length - 1].Array[1, 6].SampleAsync(async news =>
        {
            await using var test = await StartAsync();
            var id = await test.Submitted(Requests.TheDex());
            string? ended = null;
            var updates = 0;
            foreach (var status in news.Select(i => Statuses[i]))
            {
                var update = Update(id, status, status.ToString(), txHash: status == ProviderPayoutStatus.Completed ? "0xabc" : null);
                if (ended is null && status != ProviderPayoutStatus.Processing)
                {
                    // The first final word: a webhook, then the answer to the check it prompts.
                    await test.ProviderEnds(update);
                    ended = status.ToString();
                    await test.InState(id, m => m.States.Single(s => s.Name == ended));
                    updates += 2;
                    continue;
                }
                // Later news, also dressed as the answer to the saga's latest check.
                await test.Publish(update);
                updates++;
                if (ended is not null)
                {
                    await test.Publish(update with { Source = "status poll", CheckId = test.Saga.Sagas.Contains(id)!.CheckId });
                    updates++;
                }
            }
            await test.Consumed<ProviderPayoutUpdated>(updates);

            var saga = test.Saga.Sagas.Contains(id)!;
            Assert.Equal(ended ?? nameof(Sagas.PayoutStateMachine.Submitted), saga.CurrentState);
            // The end's event leaves once its transition has committed: waited for, then counted.
            int Ends() => test.PublishedSoFar<PayoutCompleted>().Count(m => m.PayoutId == id) + test.PublishedSoFar<PayoutFailed>().Count(m => m.PayoutId == id)
                + test.PublishedSoFar<PayoutCanceled>().Count(m => m.PayoutId == id) + test.PublishedSoFar<PayoutExpired>().Count(m => m.PayoutId == id);
            if (ended is not null)
                await Support.Eventually.Until(() => Task.FromResult(Ends()), n => n >= 1, "the terminal event", TimeSpan.FromSeconds(10));
            Assert.Equal(ended is null ? 0 : 1, Ends());
            Assert.Single(test.PublishedSoFar<SubmitProviderPayout>(), m => m.Payout.PayoutId == id);
        }, iter: 12, threads: 1);
}
