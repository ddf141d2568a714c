using MassTransit;
using MassTransit.Middleware;
using Payouts.Bus.Observability;

namespace Payouts.Bus.Host;

/// <summary>
/// First filter of every endpoint's error pipe: a message about to be moved to the <c>_error</c>
/// queue is counted (<c>payouts.messages.dead_lettered</c>) and logged with its reason, so a dashboard
/// alert and the log line arrive together.
/// </summary>
public sealed class DeadLetterTelemetryFilter(PayoutsMetrics metrics, ILogger logger) : IFilter<ExceptionReceiveContext>
{
    /// <summary>The error pipe MassTransit would build, with this filter in front (and, when given, <paramref name="requeueWhileStopping"/> before it).</summary>
    public static void Configure(IPipeConfigurator<ExceptionReceiveContext> error, PayoutsMetrics metrics, ILogger logger, RequeueWhileStoppingFilter? requeueWhileStopping)
    {
        if (requeueWhileStopping is not null)
            error.UseFilter(requeueWhileStopping);
        error.UseFilter(new DeadLetterTelemetryFilter(metrics, logger));
        error.UseFilter(new GenerateFaultFilter());
        error.UseFilter(new ErrorTransportFilter());
    }

    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var queue = context.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var error = context.Exception.GetType().Name;
        metrics.DeadLettered(queue, error);
        logger.LogError("Message {MessageId} moved to {Queue}_error: {Error}: {Reason}",
            context.GetMessageId(), queue, error, Cut(context.Exception.Message));
        return next.Send(context);
    }

    /// <summary>A reason can quote what it refused; the log keeps the first 2 KB of it, never a whole oversized message.</summary>
    private static string Cut(string reason) => reason.Length <= 2048 ? reason : string.Concat(reason.AsSpan(0, 2048), $"… ({reason.Length} characters)");

    public void Probe(ProbeContext context) => context.CreateFilterScope("dead-letter-telemetry");
}
