using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.RabbitMq;

/// <summary>
/// A submission that fails all its in-process retries faults, and MassTransit publishes
/// <c>Fault&lt;SubmitProviderPayout&gt;</c> to the saga, which schedules the next attempt. On RabbitMQ that
/// fault is an internal message like any other: it must carry a valid signature, or the saga refuses it
/// into <c>payout-state_error</c> and the payout waits for the submission watchdog. A host of its own:
/// a minute of 503s opens TheDex's circuit, which the shared host's other tests must not meet.
/// </summary>
public sealed class SubmissionFaultTests(RabbitMqHostFixture host) : IClassFixture<RabbitMqHostFixture>
{
    [Fact]
    public async Task Submission_that_fails_every_retry_reaches_the_saga_as_a_trusted_fault()
    {
        host.Sandbox.Faults.ErrorRate = 1;
        try
        {
            var id = await host.RequestAsync(PayoutsHostFixture.Sample("thedex"));

            // The retries pause about 51 s in all before the consumer gives up.
            await Eventually.Until(() => host.GetPayoutAsync(id),
                payout => payout["history"]!.AsArray().Any(h => (string?)h!["event"] == "SubmitFaulted"),
                "the saga to hear that the submission failed", TimeSpan.FromSeconds(120));
        }
        finally
        {
            host.Sandbox.Faults.ErrorRate = 0;
        }
    }
}
