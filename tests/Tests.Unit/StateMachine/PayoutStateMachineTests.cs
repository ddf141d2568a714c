using MassTransit;
using Microsoft.Extensions.Time.Testing;
using Payouts.Bus.Contracts;
using Payouts.Bus.Contracts.Processing;
using Microsoft.Extensions.DependencyInjection;
using Payouts.Bus.Domain;
using Payouts.Bus.Sagas;
using static Payouts.Bus.Tests.StateMachine.PayoutSagaHarness;

namespace Payouts.Bus.Tests.StateMachine;

public sealed class PayoutStateMachineTests
{
    private const string DepositAddress = "0x1234567890abcdef1234567890abcdef12345678";

    [Fact]
    public async Task Valid_request_is_accepted_and_handed_to_its_provider()
    {
        await using var test = await StartAsync();
        var request = Requests.TheDex();

        await test.Publish(request);

        var saga = await test.InState(request.PayoutId, m => m.Requested);
        Assert.Equal(request.ExternalId, saga.ExternalId);
        await test.AssertPublished<PayoutAccepted>(1, m => m.PayoutId == request.PayoutId && m.Amount == request.Amount);
        await test.AssertPublished<SubmitProviderPayout>(1, m => m.Payout.PayoutId == request.PayoutId && m.Payout.Destination == request.Destination);
        Assert.Equal("RequestPayout", Assert.Single(saga.History).Event);
    }

    [Fact]
    public async Task Invalid_request_is_rejected_with_its_field_errors_and_never_reaches_a_provider()
    {
        await using var test = await StartAsync();
        var request = Requests.TheDex(amount: 1.1234567m) with { Destination = "not-an-address" };

        await test.Publish(request);

        var saga = await test.InState(request.PayoutId, m => m.Rejected);
        Assert.Equal("validation_failed", saga.FailureCode);
        await test.AssertPublished<PayoutRejected>(1, m => m.PayoutId == request.PayoutId);
        var rejected = test.PublishedSoFar<PayoutRejected>().Single();
        Assert.Contains(rejected.Errors, e => e.Field == "amount");
        Assert.Contains(rejected.Errors, e => e.Field == "destination");
        await test.AssertPublished<SubmitProviderPayout>(0, _ => true);
    }

    [Fact]
    public async Task Request_to_a_provider_without_credentials_here_is_rejected_provider_not_configured()
    {
        await using var test = await StartAsync(services: s => s.AddSingleton(new ConfiguredProviders([PayoutProvider.Dfns])));
        var request = Requests.TheDex();

        await test.Publish(request);

        var saga = await test.InState(request.PayoutId, m => m.Rejected);
        Assert.Equal("provider_not_configured", saga.FailureCode);
        await test.AssertPublished<PayoutRejected>(1, m => m.PayoutId == request.PayoutId && m.Code == "provider_not_configured"
            && m.Errors.Single().Field == "provider");
        await test.AssertPublished<SubmitProviderPayout>(0, _ => true);
    }

    [Fact]
    public async Task Same_external_id_and_content_twice_makes_one_payout()
    {
        await using var test = await StartAsync();
        var first = Requests.TheDex();
        await test.Publish(first);
        await test.InState(first.PayoutId, m => m.Requested);

        await test.Publish(first with { PayoutId = Guid.NewGuid(), Amount = first.Amount with { Amount = 125.500m } });
        await test.Consumed<RequestPayout>(2);

        await test.AssertPublished<PayoutAccepted>(1, _ => true);
        await test.AssertPublished<SubmitProviderPayout>(1, _ => true);
        Assert.Single(test.Saga.Sagas.Select(s => s.ExternalId == first.ExternalId));
    }

    [Fact]
    public async Task Published_repeat_is_answered_with_the_payout_it_already_made()
    {
        await using var test = await StartAsync();
        var first = Requests.TheDex();
        await test.Publish(first);
        await test.InState(first.PayoutId, m => m.Requested);
        var repeat = first with { PayoutId = Guid.NewGuid() };

        await test.Publish(repeat);

        await test.AssertPublished<PayoutAlreadyRequested>(1, m =>
            m.PayoutId == first.PayoutId && m.RequestedPayoutId == repeat.PayoutId && m.Status == nameof(PayoutStateMachine.Requested));
        await test.AssertPublished<SubmitProviderPayout>(1, _ => true);
    }

    [Fact]
    public async Task Published_repeat_of_an_invalid_request_is_rejected_again()
    {
        await using var test = await StartAsync();
        var invalid = Requests.TheDex() with { Destination = "not-an-address" };
        await test.Publish(invalid);
        await test.InState(invalid.PayoutId, m => m.Rejected);

        await test.Publish(invalid);

        await test.AssertPublished<PayoutRejected>(2, m => m.PayoutId == invalid.PayoutId && m.Errors.Any(e => e.Field == "destination"));
    }

    [Fact]
    public async Task Same_external_id_with_other_content_is_rejected_and_the_first_payout_is_untouched()
    {
        await using var test = await StartAsync();
        var first = Requests.TheDex();
        await test.Publish(first);
        var saga = await test.InState(first.PayoutId, m => m.Requested);
        var historyBefore = saga.History.Count;

        var second = first with { PayoutId = Guid.NewGuid(), Amount = first.Amount with { Amount = 999m } };
        await test.Publish(second);

        await test.AssertPublished<PayoutRejected>(1, m => m.PayoutId == second.PayoutId && m.Code == "external_id_conflict");
        Assert.Equal(125.50m, saga.Amount);
        Assert.Equal(historyBefore, saga.History.Count);
        Assert.Equal(nameof(PayoutStateMachine.Requested), saga.CurrentState);
        await test.AssertPublished<SubmitProviderPayout>(1, _ => true);
    }

    [Fact]
    public async Task Provider_acceptance_submits_the_payout_and_starts_polling_its_status()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions { StatusPollQuietPeriod = TimeSpan.FromMilliseconds(200) });
        var id = await test.Submitted(Requests.TheDex(), "thedex-42");

        var saga = await test.InState(id, m => m.Submitted);
        Assert.Equal("thedex-42", saga.ProviderReference);
        await test.AssertPublished<PayoutSubmitted>(1, m => m.PayoutId == id && m.ProviderReference == "thedex-42");
        await Support.Eventually.Until(
            () => Task.FromResult(test.PublishedSoFar<CheckProviderPayout>().Count(m => m.Payout.ProviderReference == "thedex-42")),
            n => n >= 2, "two status polls");
    }

    [Fact]
    public void Status_polls_come_only_when_news_is_overdue_and_back_off_to_a_cap()
    {
        var timers = new PayoutLifecycleOptions();

        // Dfns sends no completion webhook: polled from 5 s on, each poll without news doubling the wait.
        Assert.Equal(TimeSpan.FromSeconds(5), timers.NextStatusPoll(PayoutProvider.Dfns, 0));
        Assert.Equal(TimeSpan.FromSeconds(10), timers.NextStatusPoll(PayoutProvider.Dfns, 1));
        Assert.Equal(TimeSpan.FromSeconds(40), timers.NextStatusPoll(PayoutProvider.Dfns, 3));
        Assert.Equal(TimeSpan.FromMinutes(10), timers.NextStatusPoll(PayoutProvider.Dfns, 7));
        // The others report completion by webhook: a poll is a fallback, first after a quiet period.
        Assert.Equal(TimeSpan.FromMinutes(2), timers.NextStatusPoll(PayoutProvider.TheDex, 0));
        Assert.Equal(TimeSpan.FromMinutes(4), timers.NextStatusPoll(PayoutProvider.OxaPay, 1));
        Assert.Equal(TimeSpan.FromMinutes(10), timers.NextStatusPoll(PayoutProvider.Calypso, 3));
        // A payout polled for days stays at the cap.
        Assert.Equal(TimeSpan.FromMinutes(10), timers.NextStatusPoll(PayoutProvider.Dfns, int.MaxValue));
        // 24 hours awaiting a Dfns confirmation: about 150 polls, not 17,280.
        var polls = 0;
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromHours(24); polls++)
            waited += timers.NextStatusPoll(PayoutProvider.Dfns, polls);
        Assert.InRange(polls, 140, 160);
    }

    [Fact]
    public async Task Poll_without_news_lengthens_the_next_wait_and_news_starts_it_again()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions
        {
            StatusPollQuietPeriod = TimeSpan.FromMilliseconds(100),
            StatusPollMaxInterval = TimeSpan.FromHours(1),
        });
        var id = await test.Submitted(Requests.TheDex(), "thedex-7");

        await Support.Eventually.Until(() => Task.FromResult(test.Saga.Sagas.Contains(id)!.StatusPolls), n => n >= 2, "two polls without news");
        await test.Publish(Update(id, ProviderPayoutStatus.Processing, "3 Processing"));

        await Support.Eventually.Until(() => Task.FromResult(test.Saga.Sagas.Contains(id)!.StatusPolls), n => n == 0, "the news to start the wait again");
    }

    [Fact]
    public async Task Webhook_that_overtook_the_create_answer_is_followed_by_a_check_at_once_not_at_the_first_poll()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions { StatusPollQuietPeriod = TimeSpan.FromHours(1) });
        var request = Requests.TheDex();
        await test.Publish(request);
        await test.InState(request.PayoutId, m => m.Requested);
        await test.Publish(Update(request.PayoutId, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0xabc"));
        await test.Consumed<ProviderPayoutUpdated>(1);
        await test.AssertPublished<CheckProviderPayout>(0, m => m.Payout.PayoutId == request.PayoutId);

        var checkId = await test.CheckIdAsync(request.PayoutId);
        await test.Publish(new ProviderPayoutAccepted(request.PayoutId, new ProviderPayoutUpdate("thedex-9", ProviderPayoutStatus.Pending, "0 Waiting"), checkId));

        await test.InState(request.PayoutId, m => m.Submitted);
        await test.AssertPublished<CheckProviderPayout>(1, m => m.Payout.PayoutId == request.PayoutId && m.Payout.CheckId == checkId);
    }

    [Fact]
    public async Task Provider_answer_that_overtook_the_create_report_ends_the_payout_once_without_asking_again()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions { StatusPollQuietPeriod = TimeSpan.FromHours(1) });
        var request = Requests.TheDex();
        await test.Publish(request);
        await test.InState(request.PayoutId, m => m.Requested);
        var checkId = await test.CheckIdAsync(request.PayoutId);

        // What the webhook endpoint hands on after asking TheDex by the id its webhook named.
        await test.Publish(new ProviderPayoutUpdated(request.PayoutId, new ProviderPayoutUpdate("thedex-9", ProviderPayoutStatus.Completed, "1 Successful", TxHash: "0xabc"),
            "thedex callback, status confirmed by TheDex", checkId));
        var saga = await test.InState(request.PayoutId, m => m.Completed);
        await test.Publish(new ProviderPayoutAccepted(request.PayoutId, new ProviderPayoutUpdate("thedex-9", ProviderPayoutStatus.Pending, "0 Waiting"), checkId));
        await test.Consumed<ProviderPayoutAccepted>(1);

        Assert.Equal("thedex-9", saga.ProviderReference);
        await test.AssertPublished<PayoutSubmitted>(1, m => m.PayoutId == request.PayoutId && m.ProviderReference == "thedex-9");
        await test.AssertPublished<PayoutCompleted>(1, m => m.PayoutId == request.PayoutId && m.TxHash == "0xabc");
        Assert.DoesNotContain(test.PublishedSoFar<CheckProviderPayout>(), m => m.Payout.PayoutId == request.PayoutId);
        Assert.Equal(nameof(PayoutStateMachine.Completed), (await test.InState(request.PayoutId, m => m.Completed)).CurrentState);
    }

    [Fact]
    public async Task Final_word_before_the_create_report_that_is_not_the_provider_answer_to_our_check_ends_nothing()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions { StatusPollQuietPeriod = TimeSpan.FromHours(1) });
        var request = Requests.TheDex();
        await test.Publish(request);
        await test.InState(request.PayoutId, m => m.Requested);
        var checkId = await test.CheckIdAsync(request.PayoutId);

        // A webhook as it came (no check id), and an answer naming no provider id: neither shows the provider holds this payout.
        await test.Publish(new ProviderPayoutUpdated(request.PayoutId, new ProviderPayoutUpdate("thedex-9", ProviderPayoutStatus.Completed, "1 Successful"), "thedex callback"));
        await test.Publish(new ProviderPayoutUpdated(request.PayoutId, new ProviderPayoutUpdate(null, ProviderPayoutStatus.Completed, "1 Successful"), "answer", checkId));
        await test.Consumed<ProviderPayoutUpdated>(2);

        Assert.Equal(nameof(PayoutStateMachine.Requested), (await test.InState(request.PayoutId, m => m.Requested)).CurrentState);
        Assert.DoesNotContain(test.PublishedSoFar<PayoutCompleted>(), m => m.PayoutId == request.PayoutId);
    }

    [Fact]
    public async Task Dfns_payout_is_not_ended_by_a_final_word_before_the_create_report()
    {
        await using var test = await StartAsync();
        var request = Requests.Dfns();
        await test.Publish(request);
        await test.InState(request.PayoutId, m => m.Requested);
        var checkId = await test.CheckIdAsync(request.PayoutId);

        // A Dfns payout waits for our confirmation before money moves: nothing can have been paid yet.
        await test.Publish(new ProviderPayoutUpdated(request.PayoutId, new ProviderPayoutUpdate("pyt-x", ProviderPayoutStatus.Completed, "Completed"), "answer", checkId));
        await test.Consumed<ProviderPayoutUpdated>(1);

        Assert.Equal(nameof(PayoutStateMachine.Requested), (await test.InState(request.PayoutId, m => m.Requested)).CurrentState);
        Assert.DoesNotContain(test.PublishedSoFar<PayoutCompleted>(), m => m.PayoutId == request.PayoutId);
    }

    [Fact]
    public async Task Provider_decline_fails_the_payout_with_the_provider_reason()
    {
        await using var test = await StartAsync();
        var request = Requests.TheDex();
        await test.Publish(request);
        await test.InState(request.PayoutId, m => m.Requested);

        await test.Publish(new ProviderPayoutDeclined(request.PayoutId, "insufficient_balance", "Not enough balance", await test.CheckIdAsync(request.PayoutId)));

        var saga = await test.InState(request.PayoutId, m => m.Failed);
        Assert.Equal("insufficient_balance", saga.FailureCode);
        await test.AssertPublished<PayoutFailed>(1, m => m.Code == "insufficient_balance" && m.ProviderMessage == "Not enough balance");
    }

    [Fact]
    public async Task Completed_at_the_provider_completes_the_payout_once()
    {
        await using var test = await StartAsync();
        var id = await test.Submitted(Requests.TheDex());

        await test.Publish(Update(id, ProviderPayoutStatus.Processing, "3 Processing"));
        await test.ProviderEnds(Update(id, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0xabc"));
        await test.InState(id, m => m.Completed);
        await test.Publish(Update(id, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0xabc"));

        await test.AssertPublished<PayoutCompleted>(1, m => m.PayoutId == id && m.TxHash == "0xabc");
    }

    [Theory]
    [InlineData(ProviderPayoutStatus.Failed, nameof(PayoutStateMachine.Failed))]
    [InlineData(ProviderPayoutStatus.Canceled, nameof(PayoutStateMachine.Canceled))]
    [InlineData(ProviderPayoutStatus.Expired, nameof(PayoutStateMachine.Expired))]
    public async Task Terminal_provider_status_ends_the_payout_in_the_matching_state(ProviderPayoutStatus status, string expectedState)
    {
        await using var test = await StartAsync();
        var id = await test.Submitted(Requests.TheDex());

        await test.ProviderEnds(Update(id, status, status.ToString()));

        await test.InState(id, m => m.States.Single(x => x.Name == expectedState));
        var ended = await Support.Eventually.Until(
            () => Task.FromResult(test.PublishedSoFar<PayoutFailed>().Count + test.PublishedSoFar<PayoutCanceled>().Count
                                  + test.PublishedSoFar<PayoutExpired>().Count),
            n => n >= 1, "the terminal event");
        Assert.Equal(1, ended);
    }

    [Fact]
    public async Task Final_status_nobody_asked_for_is_checked_with_the_provider_and_does_not_end_the_payout_by_itself()
    {
        await using var test = await StartAsync();
        var id = await test.Submitted(Requests.TheDex());

        await test.Publish(Update(id, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0xforged"));
        await test.AssertPublished<CheckProviderPayout>(1, m => m.Payout.PayoutId == id && m.Payout.CheckId != null);
        // An answer that claims a check id the saga never issued is no answer either.
        await test.Publish(Update(id, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0xforged") with { CheckId = Guid.NewGuid() });
        await test.AssertPublished<CheckProviderPayout>(2, m => m.Payout.PayoutId == id);

        var saga = test.Saga.Sagas.Contains(id)!;
        Assert.Equal(nameof(PayoutStateMachine.Submitted), saga.CurrentState);
        Assert.Null(saga.TxHash);
        await test.AssertPublished<PayoutCompleted>(0, _ => true);
    }

    [Fact]
    public async Task Decline_without_the_payouts_check_id_faults_and_leaves_the_payout_requested()
    {
        await using var test = await StartAsync();
        var request = Requests.TheDex();
        await test.Publish(request);
        await test.InState(request.PayoutId, m => m.Requested);

        await test.Publish(new ProviderPayoutDeclined(request.PayoutId, "insufficient_balance", "forged"));

        var fault = await Support.Eventually.Until(
            () => Task.FromResult(test.Harness.Published.Select<Fault<ProviderPayoutDeclined>>(new CancellationToken(canceled: true)).FirstOrDefault()),
            f => f is not null, "the forged decline to fault");
        var untrusted = Assert.Single(fault!.Context.Message.Exceptions).InnerException;
        Assert.Equal(typeof(UntrustedMessageException).FullName, untrusted?.ExceptionType);
        Assert.Contains("does not carry the payout's check id", untrusted!.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(PayoutStateMachine.Requested), test.Saga.Sagas.Contains(request.PayoutId)!.CurrentState);
        await test.AssertPublished<PayoutFailed>(0, _ => true);
    }

    [Fact]
    public async Task Late_failure_after_completion_is_ignored()
    {
        await using var test = await StartAsync();
        var id = await test.Submitted(Requests.TheDex());
        await test.ProviderEnds(Update(id, ProviderPayoutStatus.Completed, "1 Successful", txHash: "0xabc"));
        await test.InState(id, m => m.Completed);

        await test.Publish(Update(id, ProviderPayoutStatus.Failed, "2 Rejected"));
        await test.Consumed<ProviderPayoutUpdated>(3);

        var saga = test.Saga.Sagas.Contains(id)!;
        Assert.Equal(nameof(PayoutStateMachine.Completed), saga.CurrentState);
        Assert.Equal("LateProviderUpdate", saga.History[^1].Event);
        await test.AssertPublished<PayoutFailed>(0, _ => true);
    }

    [Fact]
    public async Task Late_completion_after_a_failure_does_not_revive_the_payout()
    {
        await using var test = await StartAsync();
        var id = await test.Submitted(Requests.TheDex());
        await test.ProviderEnds(Update(id, ProviderPayoutStatus.Failed, "2 Rejected"));
        await test.InState(id, m => m.Failed);

        await test.Publish(Update(id, ProviderPayoutStatus.Completed, "1 Successful"));
        await test.Consumed<ProviderPayoutUpdated>(3);

        Assert.Equal(nameof(PayoutStateMachine.Failed), test.Saga.Sagas.Contains(id)!.CurrentState);
        await test.AssertPublished<PayoutCompleted>(0, _ => true);
    }

    [Fact]
    public async Task Awaiting_confirmation_publishes_what_must_be_confirmed_and_when_it_expires()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);

        var saga = test.Saga.Sagas.Contains(id)!;
        var snapshot = saga.ToSnapshot();
        Assert.Equal(DepositAddress, snapshot.Confirmation!.DepositAddress);
        Assert.Equal(1000m, snapshot.Confirmation.Amount);
        await test.AssertPublished<PayoutAwaitingConfirmation>(1, m =>
            m.DepositAddress == DepositAddress && m.Amount.Amount == 1000m && m.ExpiresAt > DateTime.UtcNow.AddHours(23));
    }

    [Fact]
    public async Task Confirmation_with_a_wrong_address_or_amount_is_refused_and_nothing_is_sent()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);

        await test.Publish(new ConfirmPayout(id, "0x0000000000000000000000000000000000000001", 1000m));
        await test.Publish(new ConfirmPayout(id, DepositAddress, 999.99m));

        await test.AssertPublished<PayoutCommandRejected>(2, m => m.PayoutId == id && m.Code == "confirmation_mismatch");
        await test.AssertPublished<ConfirmProviderPayout>(0, _ => true);
        Assert.Equal(nameof(PayoutStateMachine.AwaitingConfirmation), test.Saga.Sagas.Contains(id)!.CurrentState);
    }

    [Fact]
    public async Task Matching_confirmation_is_sent_to_the_provider_and_the_payout_completes()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);

        await test.Publish(new ConfirmPayout(id, DepositAddress, 1000.00m));
        await test.InState(id, m => m.Confirming);
        await test.AssertPublished<ConfirmProviderPayout>(1, m => m.DepositAddress == DepositAddress);

        // A poll that lags behind the confirmation changes nothing.
        await test.Publish(Update(id, ProviderPayoutStatus.AwaitingConfirmation, "Processing/AwaitingPayoutConfirmation"));
        await test.ProviderEnds(Update(id, ProviderPayoutStatus.Completed, "Completed/Completed", txHash: "0xdef"));

        await test.InState(id, m => m.Completed);
        await test.AssertPublished<PayoutCompleted>(1, m => m.TxHash == "0xdef");
    }

    [Fact]
    public async Task Provider_refusing_the_confirmation_returns_the_payout_to_awaiting_confirmation()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);
        await test.Publish(new ConfirmPayout(id, DepositAddress, 1000m));
        await test.InState(id, m => m.Confirming);

        await test.Publish(new ProviderActionDeclined(id, "Confirm", "provider_rejected", "not awaiting confirmation", await test.CheckIdAsync(id)));

        await test.InState(id, m => m.AwaitingConfirmation);
        await test.AssertPublished<PayoutCommandRejected>(1, m => m.Code == "provider_declined");
    }

    [Fact]
    public async Task Unconfirmed_payout_expires_and_is_canceled_at_the_provider()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions
        {
            ConfirmationTimeout = TimeSpan.FromSeconds(1),
            StatusPollInterval = TimeSpan.FromHours(1),
        });
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);

        await test.InState(id, m => m.Expired);

        await test.AssertPublished<PayoutExpired>(1, m => m.PayoutId == id);
        await test.AssertPublished<CancelProviderPayout>(1, m => m.Payout.PayoutId == id);
        await test.Publish(new ConfirmPayout(id, DepositAddress, 1000m));
        await test.AssertPublished<PayoutCommandRejected>(1, m => m.Code == "invalid_state");
    }

    [Fact]
    public async Task Confirmed_payout_is_never_expired_by_the_timer_only_checked_at_the_provider()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions
        {
            SubmissionTimeout = TimeSpan.FromSeconds(1),
            StatusPollInterval = TimeSpan.FromHours(1),
        });
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);
        await test.Publish(new ConfirmPayout(id, DepositAddress, 1000m));
        await test.InState(id, m => m.Confirming);

        await test.AssertPublished<CheckProviderPayout>(1, m => m.Payout.PayoutId == id);
        var saga = test.Saga.Sagas.Contains(id)!;
        Assert.Equal(nameof(PayoutStateMachine.Confirming), saga.CurrentState);
        Assert.Contains(saga.History, h => h.Event == "SubmissionOverdue");
    }

    [Fact]
    public async Task Cancel_while_awaiting_confirmation_cancels_at_the_provider()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);

        await test.Publish(new CancelPayout(id, "customer changed their mind"));
        await test.InState(id, m => m.Canceling);
        await test.AssertPublished<CancelProviderPayout>(1, m => m.Reason == "customer changed their mind");

        await test.ProviderEnds(Update(id, ProviderPayoutStatus.Canceled, "Canceled"));
        await test.InState(id, m => m.Canceled);
        await test.AssertPublished<PayoutCanceled>(1, m => m.PayoutId == id);
    }

    [Fact]
    public async Task Cancel_after_the_payout_reached_the_provider_is_refused()
    {
        await using var test = await StartAsync();
        var id = await test.Submitted(Requests.TheDex());

        await test.Publish(new CancelPayout(id));

        await test.AssertPublished<PayoutCommandRejected>(1, m => m.Command == "CancelPayout" && m.Code == "invalid_state");
        await test.AssertPublished<CancelProviderPayout>(0, _ => true);
        Assert.Equal(nameof(PayoutStateMachine.Submitted), test.Saga.Sagas.Contains(id)!.CurrentState);
    }

    [Fact]
    public async Task Processing_after_awaiting_confirmation_means_the_provider_has_a_confirmation()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);

        await test.Publish(Update(id, ProviderPayoutStatus.Processing, "Processing/SubmittingPayoutTransfer"));

        await test.InState(id, m => m.Confirming);
    }

    [Fact]
    public async Task Submission_that_failed_every_retry_is_submitted_again_later_not_failed()
    {
        await using var test = await StartAsync(
            new PayoutLifecycleOptions { SubmitRetryDelay = TimeSpan.FromMilliseconds(300), StatusPollInterval = TimeSpan.FromHours(1) },
            x =>
            {
                x.AddPayoutSaga().InMemoryRepository();
                x.AddConsumer<ProviderDownOnceConsumer>();
            },
            services => services.AddSingleton<ProviderOutage>());
        var request = Requests.TheDex();

        await test.Publish(request);

        var saga = await test.InState(request.PayoutId, m => m.Submitted);
        Assert.Equal("recovered-1", saga.ProviderReference);
        Assert.Equal(["RequestPayout", "SubmitFaulted", "SubmitRetry", "ProviderAccepted"], saga.History.Select(h => h.Event));
    }

    [Fact]
    public async Task Submission_lost_before_the_provider_acknowledged_it_is_sent_again()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions
        {
            SubmissionCheckDelay = TimeSpan.FromMilliseconds(300),
            StatusPollInterval = TimeSpan.FromHours(1),
        });
        var request = Requests.TheDex();

        await test.Publish(request);

        await Support.Eventually.Until(() => Task.FromResult(test.PublishedSoFar<SubmitProviderPayout>().Count), n => n >= 2,
            "the submission to be sent again");
        Assert.Contains(test.Saga.Sagas.Contains(request.PayoutId)!.History, h => h.Event == "SubmitRetry");
    }

    [Fact]
    public async Task Acknowledged_submission_is_not_sent_again()
    {
        await using var test = await StartAsync(new PayoutLifecycleOptions
        {
            SubmissionCheckDelay = TimeSpan.FromMilliseconds(300),
            StatusPollInterval = TimeSpan.FromHours(1),
        });
        var id = await test.Submitted(Requests.TheDex());

        // Wait for the stale check to arrive and be ignored before counting submissions.
        await Support.Eventually.Until(() => Task.FromResult(test.Saga.Consumed.Select<PayoutSubmitRetryDue>(new CancellationToken(true)).Count()),
            n => n >= 1, "the submission check to come due");

        await test.AssertPublished<SubmitProviderPayout>(1, m => m.Payout.PayoutId == id);
        Assert.DoesNotContain(test.Saga.Sagas.Contains(id)!.History, h => h.Event == "SubmitRetry");
    }

    [Fact]
    public async Task Confirmation_the_provider_never_saw_is_sent_again_after_the_default_check_delay()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var defaults = new PayoutLifecycleOptions();
        await using var test = await StartAsync(clock: clock);
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);
        await test.Publish(new ConfirmPayout(id, DepositAddress, 1000m));
        await test.InState(id, m => m.Confirming);

        // Polls that still find it awaiting confirmation before the check delay lag behind: nothing is sent again.
        clock.Advance(defaults.SubmissionCheckDelay - TimeSpan.FromSeconds(1));
        await test.Publish(Update(id, ProviderPayoutStatus.AwaitingConfirmation, "Processing/AwaitingPayoutConfirmation"));
        await test.Consumed<ProviderPayoutUpdated>(2);
        await test.AssertPublished<ConfirmProviderPayout>(1, m => m.Payout.PayoutId == id);

        // Still awaiting once the delay has passed: the confirmation was lost, so it goes again, once.
        clock.Advance(TimeSpan.FromSeconds(1));
        await test.Publish(Update(id, ProviderPayoutStatus.AwaitingConfirmation, "Processing/AwaitingPayoutConfirmation"));
        await test.AssertPublished<ConfirmProviderPayout>(2, m => m.Payout.PayoutId == id);
        Assert.Single(test.Saga.Sagas.Contains(id)!.History, h => h.Event == "ConfirmationResent");
    }

    [Fact]
    public async Task Resumed_payout_asks_its_provider_and_polls_again()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);

        await test.Publish(new ResumePayout(id));

        await test.AssertPublished<CheckProviderPayout>(1, m => m.Payout.PayoutId == id);
        Assert.Equal("Resumed", test.Saga.Sagas.Contains(id)!.History[^1].Event);
        Assert.Equal(nameof(PayoutStateMachine.AwaitingConfirmation), test.Saga.Sagas.Contains(id)!.CurrentState);
    }

    [Fact]
    public async Task Payout_resumed_before_its_provider_answered_is_submitted_again_at_once()
    {
        await using var test = await StartAsync();
        var request = Requests.TheDex();
        await test.Publish(request);
        await test.InState(request.PayoutId, m => m.Requested);
        await test.AssertPublished<SubmitProviderPayout>(1, m => m.Payout.PayoutId == request.PayoutId);

        await test.Publish(new ResumePayout(request.PayoutId));

        // Not after the submission check delay (15 minutes by default): what died with the process goes again now.
        await test.AssertPublished<SubmitProviderPayout>(2, m => m.Payout.PayoutId == request.PayoutId);
        Assert.Equal("Resumed", test.Saga.Sagas.Contains(request.PayoutId)!.History[^1].Event);
    }

    [Fact]
    public async Task Reconciliation_asks_the_provider_without_touching_the_history()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);
        var before = test.Saga.Sagas.Contains(id)!;
        var (entries, updatedAt) = (before.History.Count, before.UpdatedAt);

        await test.Publish(new ResumePayout(id, Reconciliation: true));

        await test.AssertPublished<CheckProviderPayout>(1, m => m.Payout.PayoutId == id);
        var after = test.Saga.Sagas.Contains(id)!;
        Assert.Equal((entries, updatedAt), (after.History.Count, after.UpdatedAt));
    }

    [Fact]
    public async Task Asking_for_an_unknown_payout_answers_not_found()
    {
        await using var test = await StartAsync();
        var client = test.Harness.GetRequestClient<GetPayout>();

        var response = await client.GetResponse<PayoutSnapshot, PayoutNotFound>(new GetPayout(Guid.NewGuid()));

        Assert.True(response.Is(out Response<PayoutNotFound>? _));
    }

    [Fact]
    public async Task Every_transition_is_in_the_history_with_time_and_reason()
    {
        await using var test = await StartAsync();
        var id = await test.AwaitingConfirmation(Requests.Dfns(), DepositAddress);
        await test.Publish(new ConfirmPayout(id, DepositAddress, 1000m));
        await test.InState(id, m => m.Confirming);
        await test.ProviderEnds(Update(id, ProviderPayoutStatus.Completed, "Completed/Completed"));
        var saga = await test.InState(id, m => m.Completed);

        Assert.Equal(["Requested", "Submitted", "AwaitingConfirmation", "Confirming", "Completed"], saga.History.Select(h => h.State).Distinct());
        Assert.All(saga.History, h => Assert.False(string.IsNullOrWhiteSpace(h.Reason)));
        Assert.True(saga.History.Zip(saga.History.Skip(1)).All(p => p.First.At <= p.Second.At));
    }

    /// <summary>Counts submissions, so that the provider is down for the first one only.</summary>
    private sealed class ProviderOutage
    {
        private int _attempts;

        public bool StillDown() => Interlocked.Increment(ref _attempts) == 1;
    }

    /// <summary>The provider refuses connections for the first submission (it faults), then accepts.</summary>
    private sealed class ProviderDownOnceConsumer(ProviderOutage outage) : IConsumer<SubmitProviderPayout>
    {
        public Task Consume(ConsumeContext<SubmitProviderPayout> context) => outage.StillDown()
            ? throw new Payouts.Bus.Providers.ProviderUnavailableException(PayoutProvider.TheDex, "connection refused")
            : context.Publish(new ProviderPayoutAccepted(context.Message.Payout.PayoutId,
                new ProviderPayoutUpdate("recovered-1", ProviderPayoutStatus.Pending, "0 Waiting"), context.Message.Payout.CheckId));
    }
}
