using System.Collections.Concurrent;
using MassTransit;
using Payouts.Bus.Contracts;

namespace Payouts.Bus.Chaos;

/// <summary>
/// The upstream system, on the broker as the README describes one: publishes the plan's requests, keeps at
/// most a window of payouts open, confirms (or cancels) Dfns payouts when told they await confirmation,
/// and records every event it hears, redelivered copies included: a payout's lifecycle events by its
/// externalId, the answers to one request (already requested, refused as a conflict) by that request's id.
/// </summary>
public sealed class Upstream : IAsyncDisposable
{
    public static readonly string[] TerminalEvents = ["Completed", "Failed", "Canceled", "Expired", "Rejected"];

    /// <summary>How long the bus may be unhealthy (its connection not recovered after a broker restart) before it is replaced.</summary>
    private static readonly TimeSpan UnhealthyFor = TimeSpan.FromSeconds(45);

    private readonly string _rabbitMq;
    private readonly CancellationTokenSource _stopping = new();
    private IBusControl _bus;
    private Task _watchdog = Task.CompletedTask;
    private readonly PayoutPlan _plan;
    private readonly SemaphoreSlim _window;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<HeardEvent>> _lifecycle = new();
    private readonly ConcurrentDictionary<Guid, ConcurrentQueue<HeardEvent>> _answers = new();
    private readonly ConcurrentDictionary<string, byte> _ended = new();
    private readonly ConcurrentDictionary<Guid, byte> _confirmed = new();

    private Upstream(string rabbitMq, PayoutPlan plan, int inFlight)
    {
        _rabbitMq = rabbitMq;
        _plan = plan;
        _window = new SemaphoreSlim(inFlight);
        _bus = CreateBus();
    }

    private IBusControl CreateBus() =>
        MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(_rabbitMq));
            cfg.MessageTopology.SetEntityNameFormatter(new BusEntityNames(cfg.MessageTopology.EntityNameFormatter));
            cfg.ReceiveEndpoint("chaos-upstream", e =>
            {
                // Through broker and database restarts: a confirmation that cannot be published now is tried again.
                e.UseMessageRetry(r => r.Interval(30, TimeSpan.FromSeconds(2)));
                e.Handler<PayoutAwaitingConfirmation>(async c =>
                {
                    Heard(c.Message.ExternalId, "AwaitingConfirmation", c.MessageId);
                    // A copy delivered again is answered once, as a careful subscriber does.
                    if (_confirmed.ContainsKey(c.Message.PayoutId))
                        return;
                    // Bound to the delivery: when the connection drops, the publish gives up and the endpoint can recover.
                    if (_plan.Find(c.Message.ExternalId) is { CancelWhenAwaiting: true })
                        await c.Publish(new CancelPayout(c.Message.PayoutId, "canceled by the chaos run", "chaos"), c.CancellationToken);
                    else
                        await c.Publish(new ConfirmPayout(c.Message.PayoutId, c.Message.DepositAddress, c.Message.Amount.Amount, "chaos"), c.CancellationToken);
                    _confirmed.TryAdd(c.Message.PayoutId, 0);
                });
                e.Handler<PayoutCompleted>(c => Ending(c.Message.ExternalId, "Completed", c.MessageId));
                e.Handler<PayoutFailed>(c => Ending(c.Message.ExternalId, "Failed", c.MessageId));
                e.Handler<PayoutCanceled>(c => Ending(c.Message.ExternalId, "Canceled", c.MessageId));
                e.Handler<PayoutExpired>(c => Ending(c.Message.ExternalId, "Expired", c.MessageId));
                e.Handler<PayoutRejected>(c => c.Message.Code == "external_id_conflict"
                    ? Answer(c.Message.PayoutId, "Rejected (external_id_conflict)", c.MessageId)
                    : Ending(c.Message.ExternalId, $"Rejected ({c.Message.Code})", c.MessageId));
                e.Handler<PayoutAlreadyRequested>(c => Answer(c.Message.RequestedPayoutId, $"AlreadyRequested {c.Message.PayoutId}", c.MessageId));
                e.Handler<PayoutCommandRejected>(c =>
                {
                    Heard(c.Message.ExternalId, $"CommandRejected ({c.Message.Code})", c.MessageId);
                    return Task.CompletedTask;
                });
            });
        });

    /// <summary>Planned payouts heard ending (the first terminal event of each).</summary>
    public int Ended => _ended.Count;

    /// <summary>The events heard about the payout with this externalId.</summary>
    public IReadOnlyList<HeardEvent> Lifecycle(string externalId) => _lifecycle.TryGetValue(externalId, out var events) ? [.. events] : [];

    /// <summary>The answers heard to the request that carried this payout id.</summary>
    public IReadOnlyList<HeardEvent> Answers(Guid requestId) => _answers.TryGetValue(requestId, out var events) ? [.. events] : [];

    public static async Task<Upstream> StartAsync(string rabbitMq, PayoutPlan plan, int inFlight)
    {
        var upstream = new Upstream(rabbitMq, plan, inFlight);
        await upstream._bus.StartAsync();
        upstream._watchdog = upstream.WatchAsync();
        return upstream;
    }

    /// <summary>
    /// The run's own client must outlive the broker restarts it causes. MassTransit reconnects on its
    /// own almost always; once, its receive endpoint never came back (the run then stalled, with the
    /// processors healthy and the events waiting in its queue). A bus unhealthy for longer than
    /// <see cref="UnhealthyFor"/> is replaced by a new one on the same queue: nothing is lost, the queue is durable.
    /// </summary>
    private async Task WatchAsync()
    {
        DateTime? unhealthySince = null;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_bus.CheckHealth().Status == BusHealthStatus.Healthy)
            {
                unhealthySince = null;
                continue;
            }
            unhealthySince ??= DateTime.UtcNow;
            if (DateTime.UtcNow - unhealthySince < UnhealthyFor)
                continue;
            Console.WriteLine($"  upstream bus unhealthy for {UnhealthyFor.TotalSeconds:0} s ({_bus.CheckHealth().Description}): replacing it");
            var old = _bus;
            var replacement = CreateBus();
            await replacement.StartAsync();
            _bus = replacement;
            unhealthySince = null;
            // Stopping a bus whose endpoint is stuck may never finish: it is given a while, then left behind.
            await Task.WhenAny(old.StopAsync(), Task.Delay(TimeSpan.FromSeconds(10)));
        }
    }

    /// <summary>Sends the plan in order, keeping at most the window open; gives up when nothing ends for <paramref name="stalledAfter"/>.</summary>
    public async Task SendAllAsync(TimeSpan stalledAfter, Action<int> sent)
    {
        var count = 0;
        foreach (var item in _plan.Sends)
        {
            if (item is PlannedPayout payout)
            {
                if (!await _window.WaitAsync(stalledAfter))
                    throw new TimeoutException($"No payout ended for {stalledAfter.TotalSeconds:0} s with {_plan.Payouts.Count - Ended} open.");
                await PublishAsync(payout.Request);
            }
            else
                await PublishAsync(((RepeatedRequest)item).Request);
            sent(++count);
        }
    }

    /// <summary>Publishes, trying again while the broker is away (a restart takes it down for seconds).</summary>
    private async Task PublishAsync(RequestPayout request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _bus.Publish(request, timeout.Token);
                return;
            }
            catch (Exception) when (attempt < 120)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void Heard(string externalId, string what, Guid? messageId) =>
        _lifecycle.GetOrAdd(externalId, _ => new ConcurrentQueue<HeardEvent>()).Enqueue(new HeardEvent(what, messageId, DateTime.UtcNow));

    private Task Answer(Guid requestId, string what, Guid? messageId)
    {
        _answers.GetOrAdd(requestId, _ => new ConcurrentQueue<HeardEvent>()).Enqueue(new HeardEvent(what, messageId, DateTime.UtcNow));
        return Task.CompletedTask;
    }

    private Task Ending(string externalId, string what, Guid? messageId)
    {
        Heard(externalId, what, messageId);
        if (_plan.Find(externalId) is not null && _ended.TryAdd(externalId, 0))
            _window.Release();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watchdog;
        // A bus stuck as the one the watchdog replaces never finishes stopping: the report must not wait on it.
        await Task.WhenAny(_bus.StopAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        _window.Dispose();
        _stopping.Dispose();
    }
}

/// <summary>One event heard: its kind, its message id (copies of one message share it), and when.</summary>
public sealed record HeardEvent(string What, Guid? MessageId, DateTime At);
