using CsCheck;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Payouts.Bus.Domain;
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

    private const string DepositAddress = "0x1234567890abcdef1234567890abcdef12345678";

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
            await AssertEndedOnce(test, id, ended is not null);
            Assert.Single(test.PublishedSoFar<SubmitProviderPayout>(), m => m.Payout.PayoutId == id);
        }, iter: 12, threads: 1);

    /// <summary>What the caller and the provider may do to a Dfns payout held for confirmation.</summary>
    private enum Step { Confirm, Cancel, ProviderDeclinesAction, ProviderAwaitsConfirmation, ProviderProcessing, ProviderCompleted, ProviderFailed, ProviderCanceled, ProviderExpired }

    [Fact]
    public Task Payout_held_for_confirmation_ends_once_and_is_confirmed_or_canceled_only_while_it_waits() =>
        Gen.Enum<Step>().Array[1, 8].SampleAsync(async steps =>
        {
            await using var test = await StartAsync();
            var request = Requests.Dfns();
            var id = await test.AwaitingConfirmation(request, DepositAddress);
            var checkId = await test.CheckIdAsync(id);
            int confirms = 0, cancels = 0, declines = 0, updates = 1, confirmsSent = 0, cancelsSent = 0;
            string? ended = null;
            foreach (var step in steps)
            {
                var before = test.Saga.Sagas.Contains(id)!.CurrentState;
                var waiting = before == nameof(Sagas.PayoutStateMachine.AwaitingConfirmation);
                switch (step)
                {
                    case Step.Confirm:
                        await test.Publish(new ConfirmPayout(id, DepositAddress, request.Amount.Amount));
                        await test.Consumed<ConfirmPayout>(++confirms);
                        confirmsSent += waiting ? 1 : 0;
                        break;
                    case Step.Cancel:
                        await test.Publish(new CancelPayout(id, "property"));
                        await test.Consumed<CancelPayout>(++cancels);
                        cancelsSent += waiting ? 1 : 0;
                        break;
                    case Step.ProviderDeclinesAction:
                        await test.Publish(new ProviderActionDeclined(id, "Confirm", "provider_rejected", "not awaiting confirmation", checkId));
                        await test.Consumed<ProviderActionDeclined>(++declines);
                        break;
                    default:
                        var status = step switch
                        {
                            Step.ProviderAwaitsConfirmation => ProviderPayoutStatus.AwaitingConfirmation,
                            Step.ProviderProcessing => ProviderPayoutStatus.Processing,
                            Step.ProviderCompleted => ProviderPayoutStatus.Completed,
                            Step.ProviderFailed => ProviderPayoutStatus.Failed,
                            Step.ProviderCanceled => ProviderPayoutStatus.Canceled,
                            _ => ProviderPayoutStatus.Expired,
                        };
                        var update = Update(id, status, status.ToString(), depositAddress: DepositAddress, amount: request.Amount.Amount,
                            txHash: status == ProviderPayoutStatus.Completed ? "0xabc" : null);
                        if (ended is null && status.IsFinal())
                        {
                            // The first final word: a webhook, then the answer to the check it prompts.
                            await test.ProviderEnds(update);
                            updates += 2;
                        }
                        else
                        {
                            await test.Publish(update with { Source = "status poll", CheckId = checkId });
                            updates++;
                        }
                        await test.Consumed<ProviderPayoutUpdated>(updates);
                        break;
                }
                var after = test.Saga.Sagas.Contains(id)!.CurrentState;
                if (Terminal.Contains(before))
                    Assert.Equal(before, after);
                ended ??= Terminal.Contains(after) ? after : null;
            }

            await AssertEndedOnce(test, id, ended is not null);
            // Confirmed or canceled at the provider only for a payout that was waiting; a confirmation never follows the end.
            await test.AssertPublished<ConfirmProviderPayout>(confirmsSent, m => m.Payout.PayoutId == id);
            await test.AssertPublished<CancelProviderPayout>(cancelsSent, m => m.Payout.PayoutId == id);
            Assert.Single(test.PublishedSoFar<SubmitProviderPayout>(), m => m.Payout.PayoutId == id);
        }, iter: 12, threads: 1);

    private static readonly string[] Terminal =
        [nameof(Sagas.PayoutStateMachine.Completed), nameof(Sagas.PayoutStateMachine.Failed), nameof(Sagas.PayoutStateMachine.Canceled), nameof(Sagas.PayoutStateMachine.Expired)];

    /// <summary>One terminal event when the payout ended, none when it did not. The event leaves once its transition has committed: waited for, then counted.</summary>
    private static async Task AssertEndedOnce(PayoutSagaHarness test, Guid id, bool ended)
    {
        int Ends() => test.PublishedSoFar<PayoutCompleted>().Count(m => m.PayoutId == id) + test.PublishedSoFar<PayoutFailed>().Count(m => m.PayoutId == id)
            + test.PublishedSoFar<PayoutCanceled>().Count(m => m.PayoutId == id) + test.PublishedSoFar<PayoutExpired>().Count(m => m.PayoutId == id);
        if (ended)
            await Support.Eventually.Until(() => Task.FromResult(Ends()), n => n >= 1, "the terminal event", TimeSpan.FromSeconds(10));
        Assert.Equal(ended ? 1 : 0, Ends());
    }
}
